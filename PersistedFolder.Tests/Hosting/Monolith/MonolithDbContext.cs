using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>A note of the monolith's own domain, in its own database.</summary>
public sealed class Note
{
    public long Id { get; set; }

    public required string Title { get; set; }

    public required string CreatedBy { get; set; }
}

/// <summary>The monolith's EF Core context; it gets its connection from the host's own (unkeyed) <see cref="NpgsqlDataSource"/>.</summary>
public sealed class MonolithDbContext(DbContextOptions<MonolithDbContext> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var note = modelBuilder.Entity<Note>().ToTable("note");
        note.Property(n => n.Id).HasColumnName("id");
        note.Property(n => n.Title).HasColumnName("title");
        note.Property(n => n.CreatedBy).HasColumnName("created_by");
    }
}

/// <summary>The monolith's health check named <c>database</c>: its own data source answers, and says which database it is.</summary>
public sealed class MonolithDatabaseCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT current_database()");
        return HealthCheckResult.Healthy((string?)await command.ExecuteScalarAsync(cancellationToken));
    }
}
