using System.Reflection;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Builders;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// <c>[TestFixture(route)]</c> for the surface contract, optionally limited to its
/// <see cref="Smoke"/> tests: the full contract runs on web and desktop; the environments alias and
/// the contract inside a host run the smoke subset that proves routing and identity. Not
/// inherited, so a subclass (a host) picks its own fixtures and subset.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SurfaceFixtureAttribute(string route) : NUnitAttribute, IFixtureBuilder2
{
    /// <summary>The category of the tests that prove routing and identity.</summary>
    public const string Smoke = "Smoke";

    private readonly NUnitTestFixtureBuilder builder = new();

    public string Route { get; } = route;

    /// <summary>Only the tests in the <see cref="Smoke"/> category.</summary>
    public bool SmokeOnly { get; init; }

    public IEnumerable<TestSuite> BuildFrom(ITypeInfo typeInfo) => BuildFrom(typeInfo, new EveryTest());

    public IEnumerable<TestSuite> BuildFrom(ITypeInfo typeInfo, IPreFilter filter)
    {
        yield return builder.BuildFrom(typeInfo, SmokeOnly ? new SmokeTests(filter) : filter, new TestFixtureData(Route));
    }

    private sealed class EveryTest : IPreFilter
    {
        public bool IsMatch(Type type) => true;

        public bool IsMatch(Type type, MethodInfo method) => true;
    }

    private sealed class SmokeTests(IPreFilter inner) : IPreFilter
    {
        public bool IsMatch(Type type) => inner.IsMatch(type);

        public bool IsMatch(Type type, MethodInfo method) =>
            inner.IsMatch(type, method) && method.GetCustomAttributes<CategoryAttribute>(inherit: true).Any(category => category.Name == Smoke);
    }
}
