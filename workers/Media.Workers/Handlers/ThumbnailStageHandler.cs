using Media.Pipelines.Render;
using Media.Pipelines.Text;
using Media.Pipelines.Thumbnails;
using Media.Pipelines.Tools;
using Media.Protos.V1;
using Microsoft.Extensions.Options;

namespace Media.Workers.Handlers;

/// <summary>A cover per rendered output: one fast-seek frame grab, then the SkiaSharp compositor.</summary>
public sealed class ThumbnailStageHandler(ToolRunner runner, IOptions<ToolPaths> tools) : IStageHandler
{
    public StageKind Kind => StageKind.Thumbnail;

    public async Task<StageCompleted> HandleAsync(StageContext context, CancellationToken cancellationToken)
    {
        var dispatch = context.Dispatch;
        var (pattern, output) = PatternResolver.Resolve(dispatch);
        var spec = pattern.Thumbnail ?? throw new PatternMismatchException($"Pattern '{pattern.Name}' asks for no thumbnail.");
        var plan = RenderPlanner.Plan(pattern, output, dispatch.SourceInfo.ToProbe());

        var video = await context.GetLocalPathAsync(dispatch.InputKey, cancellationToken);
        var at = TimeSpan.FromSeconds(Math.Max(0, plan.DurationSeconds * spec.At));
        var png = Path.Combine(context.WorkDirectory, "frame.png");
        await runner.RunAsync(tools.Value.FFmpeg, FrameGrabCommand.Build(video, at, png).ToArguments(), cancellationToken);
        if (!File.Exists(png))
        {
            throw new InvalidDataException($"No frame could be extracted at {at.TotalSeconds:0.##} s.");
        }

        context.ReportProgress(0.5);
        var title = MergeFields.Render(spec.Title, dispatch.Parameters);
        var jpeg = ThumbnailCompositor.Compose(new ThumbnailRequest(
            await File.ReadAllBytesAsync(png, cancellationToken), plan.Width, plan.Height, title, FontLocator.Find(tools.Value.Font)));
        var localJpeg = Path.Combine(context.WorkDirectory, "thumbnail.jpg");
        await File.WriteAllBytesAsync(localJpeg, jpeg, cancellationToken);

        var name = output.Name + ".thumbnail.jpg";
        var blob = await context.UploadAsync(localJpeg, name, "image/jpeg", cancellationToken);
        return new StageCompleted
        {
            Outputs =
            {
                new Output
                {
                    Name = name,
                    Kind = OutputKind.Thumbnail,
                    Key = blob.Key,
                    ContentType = blob.ContentType,
                    SizeBytes = blob.SizeBytes,
                    Sha256 = blob.Sha256,
                    Width = plan.Width,
                    Height = plan.Height,
                    Encoder = "skia-jpeg",
                    FrameTimeSeconds = at.TotalSeconds,
                },
            },
        };
    }
}
