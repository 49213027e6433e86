using System.Reflection;
using System.Text.RegularExpressions;
using Media.Platform;
using Media.Platform.Bus;
using YamlDotNet.RepresentationModel;

namespace Media.UnitTests.Deployment;

/// <summary>
/// No Docker engine or cluster here, so docker/ and k8s/ are checked statically against the code: every file
/// parses, every Media__ setting they set exists, ports, probes, images, pools, consumer groups and topics agree.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Root = FindRoot();
    private static readonly string K8s = Path.Combine(Root, "k8s", "base");

    [Fact]
    public void EveryYamlFile_Parses()
    {
        var files = Directory.GetFiles(Path.Combine(Root, "k8s"), "*.yaml", SearchOption.AllDirectories).Append(Path.Combine(Root, "docker", "compose.yaml")).ToList();

        Assert.True(files.Count >= 9, string.Join(", ", files));
        Assert.All(files, f => Assert.NotEmpty(Load(f)));
    }

    [Fact]
    public void Kustomization_ListsExistingResources_AndEveryImageItDeploys()
    {
        var kustomization = (YamlMappingNode)Load(Path.Combine(K8s, "kustomization.yaml"))[0];
        var resources = Sequence(kustomization, "resources").Select(Scalar).ToList();
        var images = Sequence(kustomization, "images").Select(i => Scalar(((YamlMappingNode)i)["name"])).ToHashSet();

        Assert.All(resources, r => Assert.True(File.Exists(Path.Combine(K8s, r)), r));
        var deployed = Documents().Where(d => Kind(d) == "Deployment").SelectMany(Containers).Select(c => Scalar(c["image"])).ToHashSet();
        Assert.Equal(images.Order(), deployed.Order());
        foreach (var image in deployed)
        {
            // media-farm-<target>: each image is a target of the one Dockerfile.
            Assert.Contains(image["media-farm-".Length..], DockerTargets().Keys);
        }
    }

    [Fact]
    public void EverySetting_TheFilesSet_IsReadByTheCode()
    {
        var known = KnownSettings();
        var used = new List<(string File, string Name)>();
        foreach (var document in Documents())
        {
            var file = Scalar(((YamlMappingNode)document["metadata"])["name"]);
            var kind = Kind(document);
            if (kind == "ConfigMap")
            {
                used.AddRange(((YamlMappingNode)document["data"]).Children.Keys.Select(k => (file, Scalar(k))));
            }
            else if (kind == "Secret")
            {
                used.AddRange(((YamlMappingNode)document["stringData"]).Children.Keys.Select(k => (file, Scalar(k))));
            }
            else if (kind == "Deployment")
            {
                used.AddRange(Containers(document).Where(c => c.Children.ContainsKey("env")).SelectMany(c => Sequence(c, "env")).Select(e => (file, Scalar(((YamlMappingNode)e)["name"]))));
            }
        }

        var compose = (YamlMappingNode)Load(Path.Combine(Root, "docker", "compose.yaml"))[0];
        foreach (var (name, service) in ((YamlMappingNode)compose["services"]).Children)
        {
            if (((YamlMappingNode)service).Children.TryGetValue("environment", out var environment) && environment is YamlMappingNode map)
            {
                used.AddRange(map.Children.Keys.Select(k => ("compose " + Scalar(name), Scalar(k))).Where(k => k.Item2 != "<<"));
            }
        }

        used.AddRange(EnvRegex().Matches(File.ReadAllText(Path.Combine(Root, "docker", "Dockerfile"))).Select(m => ("Dockerfile", m.Groups[1].Value)));

        var media = used.Where(u => u.Name.StartsWith("Media__", StringComparison.Ordinal)).ToList();
        Assert.True(media.Count > 30, $"only {media.Count} settings found");
        var unknown = media.Where(u => !known.Contains(u.Name.Replace("__", ":", StringComparison.Ordinal))).ToList();
        Assert.True(unknown.Count == 0, "set in deployment files but read by no options class: " + string.Join(", ", unknown.Select(u => $"{u.Name} ({u.File})")));
    }

    [Fact]
    public void PortsAndProbes_MatchWhatTheProgramsServe()
    {
        foreach (var (target, entrypoint) in DockerTargets())
        {
            Assert.Contains(entrypoint, e => e.Contains("media.dll", StringComparison.Ordinal));
            Assert.Equal("5080", entrypoint[entrypoint.IndexOf("--port") + 1]);
            Assert.Equal("5081", entrypoint[entrypoint.IndexOf("--http-port") + 1]);
            Assert.Contains(target switch { "farm" => "serve", "jobapi" => "jobapi", _ => "worker" }, entrypoint);
        }

        foreach (var container in Documents().Where(d => Kind(d) == "Deployment").SelectMany(Containers))
        {
            var ports = Sequence(container, "ports").Cast<YamlMappingNode>().ToDictionary(p => Scalar(p["name"]), p => Scalar(p["containerPort"]));
            Assert.Equal(("5080", "5081"), (ports["grpc"], ports["http"]));
            foreach (var (probe, path) in new[] { ("readinessProbe", "/readyz"), ("livenessProbe", "/healthz") })
            {
                var get = (YamlMappingNode)((YamlMappingNode)container[probe])["httpGet"];
                Assert.Equal((path, "http"), (Scalar(get["path"]), Scalar(get["port"])));
            }

            Assert.True(((YamlMappingNode)container["resources"]).Children.ContainsKey("limits"), "containers need resource limits");
        }
    }

    [Fact]
    public void WorkerPools_KedaScalesTheirConsumerGroupsOnTheirTopics_GpuPoolRequestsGpus()
    {
        var config = (YamlMappingNode)Documents().Single(d => Kind(d) == "ConfigMap")["data"];
        var bootstrap = Scalar(config["Media__Kafka__BootstrapServers"]);
        var deployments = Documents().Where(d => Kind(d) == "Deployment").ToDictionary(d => Scalar(((YamlMappingNode)d["metadata"])["name"]));
        var scaled = Documents().Where(d => Kind(d) == "ScaledObject").ToList();

        Assert.Equal(2, scaled.Count);
        foreach (var scaledObject in scaled)
        {
            var spec = (YamlMappingNode)scaledObject["spec"];
            var deployment = deployments[Scalar(((YamlMappingNode)spec["scaleTargetRef"])["name"])];
            var pool = Scalar(Sequence(Containers(deployment).Single(), "env").Cast<YamlMappingNode>().Single(e => Scalar(e["name"]) == "Media__Worker__Pool")["value"]);
            var triggers = Sequence(spec, "triggers").Cast<YamlMappingNode>().Select(t => (YamlMappingNode)t["metadata"]).ToList();
            Assert.All(triggers, t => Assert.Equal(($"workers-{pool}", bootstrap), (Scalar(t["consumerGroup"]), Scalar(t["bootstrapServers"]))));
            Assert.Equal(Media.Protos.V1.Priorities.All.Select(p => Topics.Stages(pool, p)).Order(), triggers.Select(t => Scalar(t["topic"])).Order());
        }

        var gpu = Containers(deployments["worker-gpu"]).Single();
        var limits = (YamlMappingNode)((YamlMappingNode)gpu["resources"])["limits"];
        Assert.Equal("1", Scalar(limits["nvidia.com/gpu"]));
        var podSpec = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deployments["worker-gpu"]["spec"])["template"])["spec"];
        Assert.True(podSpec.Children.ContainsKey("nodeSelector") && podSpec.Children.ContainsKey("tolerations"));
    }

    [Fact]
    public void Compose_BuildsExistingTargets()
    {
        var compose = (YamlMappingNode)Load(Path.Combine(Root, "docker", "compose.yaml"))[0];
        var targets = ((YamlMappingNode)compose["services"]).Children.Values.Cast<YamlMappingNode>()
            .Where(s => s.Children.ContainsKey("build"))
            .Select(s => Scalar(((YamlMappingNode)s["build"])["target"]))
            .ToList();

        Assert.Equal(["farm", "jobapi", "worker", "worker-gpu"], targets.Order());
        Assert.All(targets, t => Assert.Contains(t, DockerTargets().Keys));
    }

    private static HashSet<string> KnownSettings()
    {
        var known = new HashSet<string>(ConfigurationKeys.All, StringComparer.OrdinalIgnoreCase);
        var assemblies = new[] { typeof(PlatformOptions), typeof(Media.JobApi.JobApiOptions), typeof(Media.Workers.WorkerOptions), typeof(Media.Pipelines.Speech.SpeechOptions) }.Select(t => t.Assembly).Distinct();
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field)
            {
                continue;
            }

            var section = (string)field.GetRawConstantValue()!;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || p.PropertyType.IsGenericType))
            {
                known.Add($"{section}:{property.Name}");
            }
        }

        return known;
    }

    private static Dictionary<string, List<string>> DockerTargets()
    {
        var text = File.ReadAllText(Path.Combine(Root, "docker", "Dockerfile"));
        var targets = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in text.Split('\n'))
        {
            if (FromRegex().Match(line) is { Success: true } from)
            {
                current = from.Groups[1].Value;
            }
            else if (current is not null && line.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))
            {
                targets[current] = System.Text.Json.JsonSerializer.Deserialize<List<string>>(line["ENTRYPOINT ".Length..])!;
            }
        }

        return targets;
    }

    private static IEnumerable<YamlMappingNode> Documents() =>
        Directory.GetFiles(K8s, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").SelectMany(Load).Cast<YamlMappingNode>();

    private static IEnumerable<YamlMappingNode> Containers(YamlMappingNode deployment) =>
        Sequence((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"])["spec"], "containers").Cast<YamlMappingNode>();

    private static string Kind(YamlMappingNode document) => Scalar(document["kind"]);

    private static IEnumerable<YamlNode> Sequence(YamlMappingNode node, string key) => ((YamlSequenceNode)node[key]).Children;

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? string.Empty;

    private static List<YamlNode> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode).ToList();
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Media.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Media.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"^FROM \S+ AS (\S+)", RegexOptions.Multiline)]
    private static partial Regex FromRegex();

    [GeneratedRegex(@"\b(Media__[A-Za-z0-9_]+)=")]
    private static partial Regex EnvRegex();
}
