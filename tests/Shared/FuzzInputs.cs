using System.Globalization;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace Media.Tests.Shared;

/// <summary>
/// Generated inputs for fuzzing the front door (parsers, gRPC, REST): a valid document mutated at random (values of the
/// wrong type, huge and odd numbers, unicode, deep nesting, unknown and missing keys, duplicate keys, truncation) and
/// random JSON trees. Deterministic for a given <see cref="Random"/>: a failing case is replayed from its seed.
/// </summary>
internal static class FuzzInputs
{
    public static string Mutate(string document, Random random)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(document));
        var root = stream.Documents[0].RootNode;
        var mutations = 1 + random.Next(3);
        for (var m = 0; m < mutations; m++)
        {
            var nodes = Nodes(root).ToList();
            var (parent, key, node) = nodes[random.Next(nodes.Count)];
            switch (random.Next(7))
            {
                case 0 when parent is YamlMappingNode map && key is not null:
                    map.Children.Remove(key); // a required field may go missing
                    break;
                case 1 when node is YamlMappingNode map:
                    map.Children[new YamlScalarNode(RandomKey(random))] = RandomNode(random, 2); // an unknown field
                    break;
                case 2 when node is YamlSequenceNode list:
                    list.Children.Add(RandomNode(random, 2));
                    break;
                default:
                    Replace(parent, key, node, random.Next(4) == 0 ? Deep(random.Next(1, 300)) : RandomNode(random, 2));
                    break;
            }
        }

        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // Sometimes the text itself breaks: cut short, or a key said twice.
        return random.Next(12) switch
        {
            0 => text[..random.Next(text.Length)],
            1 => text + "\nname: twice\n",
            _ => text,
        };
    }

    private static IEnumerable<(YamlNode? Parent, YamlNode? Key, YamlNode Node)> Nodes(YamlNode root)
    {
        var stack = new Stack<(YamlNode?, YamlNode?, YamlNode)>();
        stack.Push((null, null, root));
        while (stack.Count > 0)
        {
            var item = stack.Pop();
            yield return item;
            switch (item.Item3)
            {
                case YamlMappingNode map:
                    foreach (var (k, v) in map.Children)
                    {
                        stack.Push((map, k, v));
                    }

                    break;
                case YamlSequenceNode list:
                    for (var i = 0; i < list.Children.Count; i++)
                    {
                        stack.Push((list, new YamlScalarNode(i.ToString(CultureInfo.InvariantCulture)), list.Children[i]));
                    }

                    break;
            }
        }
    }

    private static void Replace(YamlNode? parent, YamlNode? key, YamlNode node, YamlNode replacement)
    {
        switch (parent)
        {
            case YamlMappingNode map when key is not null:
                map.Children[key] = replacement;
                break;
            case YamlSequenceNode list when key is YamlScalarNode { Value: { } index }:
                list.Children[int.Parse(index, CultureInfo.InvariantCulture)] = replacement;
                break;
            case null when node is YamlMappingNode root:
                root.Children.Clear();
                root.Children[new YamlScalarNode("apiVersion")] = replacement;
                break;
        }
    }

    public static readonly string[] Odd =
    [
        "", " ", "0", "-0", "-1", "1e309", "-1e309", "NaN", ".inf", "-.inf", "9223372036854775808", "4294967296", "0x1F", "1_000",
        "3.0000000000000000001", "true", "null", "~", "yes", "🎬📈", "ä\u0301", "\u202Eevil", "\u0000", "a\nb", "{{title}}", "{{", "blob:",
        "blob:../../etc/passwd", "#FFD400", "#GGGGGG", "rgb(1,2,3)", "auto", "face", "center", "karaoke", "tiktok", "-14", "1000000",
        new string('x', 5000), "日本語のタイトル", "مرحبا", "💥💥💥",
    ];

    private static YamlNode RandomNode(Random random, int depth)
    {
        var pick = random.Next(depth <= 0 ? 2 : 4);
        return pick switch
        {
            0 => new YamlScalarNode(Odd[random.Next(Odd.Length)]),
            1 => new YamlScalarNode(random.NextDouble() < 0.5
                ? random.Next(-1000, 100000).ToString(CultureInfo.InvariantCulture)
                : (random.NextDouble() * Math.Pow(10, random.Next(-5, 12))).ToString("R", CultureInfo.InvariantCulture)),
            2 => new YamlSequenceNode(Enumerable.Range(0, random.Next(4)).Select(_ => RandomNode(random, depth - 1))),
            _ => RandomMapping(random, depth),
        };
    }

    private static YamlMappingNode RandomMapping(Random random, int depth)
    {
        var map = new YamlMappingNode();
        for (var i = random.Next(4); i > 0; i--)
        {
            map.Children[new YamlScalarNode(RandomKey(random))] = RandomNode(random, depth - 1); // a repeated key: the last wins
        }

        return map;
    }

    public static string RandomKey(Random random) => random.Next(3) switch
    {
        0 => Odd[random.Next(Odd.Length)] is { Length: > 0 } odd ? odd : "k",
        1 => new[] { "name", "outputs", "steps", "preset", "captions", "style", "text", "reframe", "mode", "clips", "count", "jumpCuts", "loudness", "target", "logo", "music", "thumbnail", "templates", "layers" }[random.Next(19)],
        _ => "k" + random.Next(1000).ToString(CultureInfo.InvariantCulture),
    };

    // Nesting deeper than any pattern: sequences of mappings of sequences...
    private static YamlNode Deep(int levels)
    {
        YamlNode node = new YamlScalarNode("bottom");
        for (var i = 0; i < levels; i++)
        {
            node = i % 2 == 0 ? new YamlSequenceNode(node) : new YamlMappingNode(new YamlScalarNode("k"), node);
        }

        return node;
    }

    // A random JSON or YAML text (JSON is YAML too), sometimes not even well formed.
    public static string RandomTree(Random random)
    {
        var builder = new StringBuilder();
        void Json(int depth)
        {
            switch (random.Next(depth > 6 ? 3 : 6))
            {
                case 0: builder.Append(random.Next(-1000, 1000)); break;
                case 1: builder.Append('"').Append(Odd[random.Next(Odd.Length)].Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\0", "\\u0000")).Append('"'); break;
                case 2: builder.Append(random.Next(2) == 0 ? "true" : "null"); break;
                case 3:
                case 4:
                    builder.Append('{');
                    for (var i = random.Next(5); i > 0; i--)
                    {
                        builder.Append('"').Append(RandomKey(random).Replace("\\", "\\\\").Replace("\"", "'").Replace("\n", " ").Replace("\0", "")).Append("\":");
                        Json(depth + 1);
                        builder.Append(i > 1 ? "," : string.Empty);
                    }

                    builder.Append('}');
                    break;
                default:
                    builder.Append('[');
                    for (var i = random.Next(4); i > 0; i--)
                    {
                        Json(depth + 1);
                        builder.Append(i > 1 ? "," : string.Empty);
                    }

                    builder.Append(']');
                    break;
            }
        }

        Json(0);
        var text = builder.ToString();
        return random.Next(8) == 0 && text.Length > 1 ? text[..random.Next(1, text.Length)] : text;
    }

}
