using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Unit.Core;

[TestFixture]
public sealed class PersonalApiKeysTests
{
    private const string KnownKey = "phx_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

    [Test]
    public void Generated_key_is_phx_and_43_url_safe_characters()
    {
        Assert.That(PersonalApiKeys.Generate(), Does.Match("^phx_[A-Za-z0-9_-]{43}$"));
    }

    [Test]
    public void Generated_key_carries_256_random_bits()
    {
        var encoded = PersonalApiKeys.Generate()["phx_".Length..].Replace('-', '+').Replace('_', '/') + "=";

        Assert.That(Convert.FromBase64String(encoded), Has.Length.EqualTo(32));
    }

    [Test]
    public void Generated_keys_are_unique()
    {
        var keys = Enumerable.Range(0, 2000).Select(_ => PersonalApiKeys.Generate()).ToList();

        Assert.That(keys, Is.Unique);
    }

    [Test]
    public void Secure_value_is_sha256_dollar_and_the_lowercase_hex_digest_of_the_whole_key()
    {
        Assert.That(
            PersonalApiKeys.SecureValue(KnownKey),
            Is.EqualTo("sha256$423f2c6a7238b4d9cbc02cdd47e3b6871753ef2bd53d0872a40e32304a1a9512"));
    }

    [Test]
    public void Secure_value_matches_the_fips_180_test_vector()
    {
        Assert.That(
            PersonalApiKeys.SecureValue("abc"),
            Is.EqualTo("sha256$ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    [Test]
    public void Secure_value_hashes_the_prefix_too()
    {
        Assert.That(PersonalApiKeys.SecureValue(KnownKey), Is.Not.EqualTo(PersonalApiKeys.SecureValue(KnownKey["phx_".Length..])));
    }

    [Test]
    public void Mask_is_the_first_four_then_dots_then_the_last_four()
    {
        Assert.That(PersonalApiKeys.Mask(KnownKey), Is.EqualTo("phx_...DEFG"));
    }

    [Test]
    public void Mask_of_a_generated_key_shows_only_its_ends()
    {
        var key = PersonalApiKeys.Generate();

        Assert.That(PersonalApiKeys.Mask(key), Is.EqualTo("phx_..." + key[^4..]));
    }
}
