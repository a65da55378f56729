namespace PersistedFolder.Core.Folders;

/// <summary>
/// A product surface. Surfaces are isolated from each other; a stored NULL surface is a legacy
/// row and belongs to <see cref="Web"/>. Any name is a surface: adding one needs no change here.
/// </summary>
public readonly record struct Surface
{
    public const int MaxLength = 100;

    public Surface(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(name.Length, MaxLength, nameof(name));
        Name = name;
    }

    public static Surface Web { get; } = new("web");

    public static Surface Desktop { get; } = new("desktop");

    public string Name { get; }

    public override string ToString() => Name;
}
