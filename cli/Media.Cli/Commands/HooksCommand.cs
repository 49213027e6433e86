using System.CommandLine;
using System.Globalization;
using Media.Cli.Client;
using Media.Client;
using Media.Pipelines.Hooks;
using Media.Protos.V1;

namespace Media.Cli.Commands;

/// <summary>
/// `media hooks train|export`: fit the next hook model from labelled rows (CSV) or from the engagement a farm has
/// recorded, and write the built-in model. (`media hooks eval`, which measures the analysis, is in media-bench.)
/// </summary>
internal static class HooksCommand
{
    public static Command Create()
    {
        var hooks = new Command("hooks", "The hook scorer: train a new model version, export the built-in one");
        hooks.Subcommands.Add(Train());
        hooks.Subcommands.Add(Export());
        return hooks;
    }

    private static Command Export()
    {
        var output = new Option<FileInfo>("--out") { Description = "Where to write the .onnx", Required = true };
        var command = new Command("export", "Write the built-in version 1 hook model as an .onnx file") { output };
        command.SetAction(parse =>
        {
            var model = HookModel.Default();
            File.WriteAllBytes(parse.GetValue(output)!.FullName, model.ToOnnx());
            Console.WriteLine($"{model.Name}: {model}");
            return 0;
        });
        return command;
    }

    private static Command Train()
    {
        var data = new Option<FileInfo?>("--data") { Description = "CSV with a header: the feature names and a 'label' column (0..1)" };
        var farm = new Option<string?>("--farm") { Description = "Train on the engagement recorded by this farm (address)" };
        var label = new Option<string>("--label") { Description = "From a farm: which metric is the label: hold3s or watch", DefaultValueFactory = _ => "hold3s" };
        label.AcceptOnlyFromAmong("hold3s", "watch");
        var baseModel = new Option<FileInfo?>("--base") { Description = "The model being replaced (default: the built-in version 1)" };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the new .onnx", Required = true };
        var command = new Command("train", "Fit the next hook model version and write it as .onnx") { data, farm, label, baseModel, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (file, address) = (parse.GetValue(data), parse.GetValue(farm));
            if ((file is null) == (address is null))
            {
                throw new UsageException("Give exactly one of --data FILE.csv or --farm ADDRESS.");
            }

            var examples = file is not null
                ? ReadCsv(file.FullName)
                : await FromFarmAsync(address!, parse.GetValue(label)!, cancellationToken);
            var baseFile = parse.GetValue(baseModel);
            using var previous = new HookScorer(baseFile is null ? HookModel.Default().ToOnnx() : await File.ReadAllBytesAsync(baseFile.FullName, cancellationToken), baseFile?.FullName ?? "built-in");
            var origin = string.Create(CultureInfo.InvariantCulture, $"trained on {examples.Count} examples from {(file is not null ? Path.GetFileName(file.FullName) : "engagement at " + address)}");
            var model = HookTrainer.Train(previous.Version, examples, origin);
            var bytes = model.ToOnnx();

            // Load what was written, through ONNX Runtime, before reporting success.
            using var next = new HookScorer(bytes, "new model");
            var rows = examples.Select(e => e.Features).ToList();
            var before = HookTrainer.LogLoss(previous.Score(rows).Scores, examples);
            var after = HookTrainer.LogLoss(next.Score(rows).Scores, examples);
            await File.WriteAllBytesAsync(parse.GetValue(output)!.FullName, bytes, cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{next.Name} from {previous.Name}: {examples.Count} examples, log-loss {before:0.0000} -> {after:0.0000}"));
            Console.WriteLine($"weights (per standard deviation): {model}");
            Console.WriteLine($"set Media:Hooks:Model={parse.GetValue(output)!.FullName} on the workers to use it");
            return 0;
        });
        return command;
    }

    /// <summary>Reads labelled rows; columns may come in any order, every feature and 'label' must be there.</summary>
    public static List<HookExample> ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        var header = (reader.ReadLine() ?? throw new UsageException($"{path} is empty.")).Split(',').Select(h => h.Trim()).ToList();
        var missing = HookFeatures.Names.Append("label").Where(n => !header.Contains(n)).ToList();
        if (missing.Count > 0)
        {
            throw new UsageException($"{path} lacks the column(s) {string.Join(", ", missing)}; the header needs {string.Join(",", HookFeatures.Names)},label.");
        }

        var examples = new List<HookExample>();
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var cells = text.Split(',');
            float Cell(string name)
            {
                var index = header.IndexOf(name);
                return index < cells.Length && float.TryParse(cells[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
                    ? value
                    : throw new UsageException($"{path} line {line}: '{name}' is not a number.");
            }

            examples.Add(new HookExample([.. HookFeatures.Names.Select(Cell)], Cell("label")));
        }

        return examples;
    }

    private static async Task<List<HookExample>> FromFarmAsync(string address, string label, CancellationToken cancellationToken)
    {
        using var client = new FarmClient(address);
        var records = (await client.Engagement.ListEngagementAsync(new ListEngagementRequest(), cancellationToken: cancellationToken)).Records;
        return records
            .Where(r => r.Features.Count > 0)
            .Select(r => new HookExample([.. HookFeatures.Names.Select(n => (float)r.Features.GetValueOrDefault(n))], label == "watch" ? r.AverageWatchFraction : r.Hold3SRate))
            .ToList();
    }
}
