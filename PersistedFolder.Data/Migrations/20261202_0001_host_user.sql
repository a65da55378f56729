-- A host application's own users (SPEC §12): its identity (issuer + subject: an integer, GUID or
-- string id) linked to the folder user made for it on first use.
CREATE TABLE host_user (
    issuer     text        NOT NULL,
    subject    text        NOT NULL,
    user_id    bigint      NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX host_user_user_id ON host_user (user_id);
