using AutoMapper;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Tests.Unit.Api;

/// <summary>Every AutoMapper profile of the solution: Api's <see cref="FolderDtoProfile"/> and Data's internal row profile.</summary>
[TestFixture]
public sealed class MappingConfigurationTests
{
    private static readonly DateTime Created = new(2026, 5, 23, 10, 15, 30, 123, 456, DateTimeKind.Utc);

    private MapperConfiguration configuration = null!;

    [SetUp]
    public void SetUp() =>
        configuration = new MapperConfiguration(cfg =>
        {
            cfg.AddProfile<FolderDtoProfile>();

            // Finds Data's internal FolderRowProfile without InternalsVisibleTo.
            cfg.AddMaps(typeof(PersistedFolder.Data.DependencyInjection).Assembly);
        });

    [Test]
    public void Configuration_is_valid()
    {
        Assert.That(configuration.AssertConfigurationIsValid, Throws.Nothing);
    }

    [Test]
    public void Folder_maps_to_its_wire_shape()
    {
        var folder = new Folder(Guid.CreateVersion7(), "home", "products://", "Root/Home", Created, Created.AddSeconds(1));

        Assert.That(
            configuration.CreateMapper().Map<FolderDto>(folder),
            Is.EqualTo(new FolderDto(folder.Id, "home", "products://", "Root/Home", folder.CreatedAt, folder.UpdatedAt)));
    }

    [Test]
    public void Folder_row_maps_to_a_folder()
    {
        var rowType = typeof(PersistedFolder.Data.DependencyInjection).Assembly.GetType("PersistedFolder.Data.Folders.FolderRow", throwOnError: true)!;
        var row = Activator.CreateInstance(rowType, nonPublic: true)!;
        var id = Guid.CreateVersion7();
        rowType.GetProperty("Id")!.SetValue(row, id);
        rowType.GetProperty("Type")!.SetValue(row, "pinned");
        rowType.GetProperty("Protocol")!.SetValue(row, "https://");
        rowType.GetProperty("Path")!.SetValue(row, "Root/Pinned");
        rowType.GetProperty("CreatedAt")!.SetValue(row, Created);
        rowType.GetProperty("UpdatedAt")!.SetValue(row, Created.AddSeconds(2));

        Assert.That(
            configuration.CreateMapper().Map(row, rowType, typeof(Folder)),
            Is.EqualTo(new Folder(id, "pinned", "https://", "Root/Pinned", Created, Created.AddSeconds(2))));
    }
}
