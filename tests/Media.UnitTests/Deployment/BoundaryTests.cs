using System.Reflection;

namespace Media.UnitTests.Deployment;

/// <summary>The boundaries the build enforces, checked on the assemblies themselves.</summary>
public sealed class BoundaryTests
{
    private static readonly string[] BusMessages = ["StageDispatch", "StageEvent", "ControlMessage", "DeadLetter", "WorkerAnnouncement"];

    [Fact]
    public void Sdk_ClientAndPublicProtos_NoWebFrameworkNoBusMessages()
    {
        var protos = typeof(Media.Protos.V1.Job).Assembly;
        var client = typeof(Media.Client.FarmClient).Assembly;

        Assert.DoesNotContain(protos.GetTypes(), t => BusMessages.Contains(t.Name));
        Assert.Contains(typeof(Media.Protos.V1.StageDispatch).Assembly.GetTypes(), t => t.Name == "StageDispatch");
        foreach (var assembly in new[] { protos, client })
        {
            Assert.DoesNotContain(assembly.GetReferencedAssemblies(), r => r.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || r.Name == "Media.Protos.Bus");
        }
    }

    [Fact]
    public void Libraries_PipelinesPlatformWorkers_DoNotReferenceAspNetCore()
    {
        Assembly[] libraries =
        [
            typeof(Media.Pipelines.Render.RenderPlanner).Assembly,
            typeof(Media.Platform.Bus.IMessageBus).Assembly,
            typeof(Media.Workers.StageWorker).Assembly,
        ];

        Assert.All(libraries, library => Assert.DoesNotContain(library.GetReferencedAssemblies(), r => r.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)));
        Assert.DoesNotContain(typeof(Media.Pipelines.Render.RenderPlanner).Assembly.GetReferencedAssemblies(), r => r.Name is "Media.Platform" or "Media.Protos");
    }
}
