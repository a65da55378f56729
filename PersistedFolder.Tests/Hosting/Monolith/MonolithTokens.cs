using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// The monolith's JWTs: HMAC-signed by its identity provider (here: the tests) with a key the
/// monolith reads from <c>Jwt:SigningKey</c>, claims as issued (<c>sub</c>, <c>email</c>, <c>role</c>).
/// </summary>
public static class MonolithTokens
{
    public const string Issuer = "https://login.monolith.test";
    public const string Audience = "monolith";

    /// <summary>A fresh key per test run, base64, as it would sit in the host's secrets.</summary>
    public static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The host's <c>AddJwtBearer</c> options, from its configuration.</summary>
    public static void Configure(JwtBearerOptions options, IConfiguration configuration)
    {
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = configuration["Jwt:Issuer"],
            ValidAudience = configuration["Jwt:Audience"],
            IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(configuration["Jwt:SigningKey"] ?? throw new InvalidOperationException("Jwt:SigningKey is not set."))),
            NameClaimType = "sub",
            RoleClaimType = "role",
        };
    }

    /// <summary>A token with these claims (a null one left out), valid for an hour.</summary>
    public static string Mint(string? subject, string? email = null, string? role = null, IReadOnlyDictionary<string, object>? extra = null, string? signingKey = null)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        if (subject is not null)
        {
            claims["sub"] = subject;
        }

        if (email is not null)
        {
            claims["email"] = email;
        }

        if (role is not null)
        {
            claims["role"] = role;
        }

        foreach (var (name, value) in extra ?? new Dictionary<string, object>())
        {
            claims[name] = value;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Convert.FromBase64String(signingKey ?? SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
