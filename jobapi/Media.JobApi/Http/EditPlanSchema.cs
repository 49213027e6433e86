using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using Media.Pipelines.Editing;
using Media.Pipelines.Json;

namespace Media.JobApi.Http;

/// <summary>
/// The JSON schema of the edit plan, exported from the very type the farm reads plans into (same names, same required
/// members), in the OpenAPI 3.0 dialect: a nullable member is "nullable: true" rather than a type list with "null".
/// </summary>
public static class EditPlanSchema
{
    public const string Name = "EditPlan";

    public static JsonNode Build()
    {
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(StrictJson.Options, typeof(EditPlan), new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        var root = ToOpenApi(schema, schema)!.AsObject();
        root["description"] = "One output's edit as rendered: source ranges kept (source seconds), captions with their words (source seconds) "
            + "and breaks, crop keyframes (the crop window's centre, source pixels), two-person layouts (split or wide spans, source seconds, and their two windows), "
            + "texts (output seconds), logo, music, loudness and preset. "
            + "Read it with GetEditPlan, edit it, send it back with ReviseOutput. Unknown members are refused.";
        return root;
    }

    // OpenAPI 3.0's dialect, and every "$ref" the exporter writes for a type used twice (a pointer into this schema, such
    // as "#/properties/reframe/properties/crop/properties/keyframes/items") replaced by what it points at: once the schema
    // sits under components/schemas, such a pointer would dangle. The edit plan has no recursive types.
    private static JsonNode? ToOpenApi(JsonNode? node, JsonNode root)
    {
        switch (node)
        {
            case JsonObject obj when obj["$ref"] is JsonValue reference && reference.GetValue<string>() is ['#', '/', .. var pointer]:
            {
                var target = pointer.Split('/').Aggregate((JsonNode?)root, (at, part) => at?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)])
                    ?? throw new InvalidOperationException($"The edit plan's schema refers to a missing #/{pointer}.");
                var merged = target.DeepClone().AsObject();
                foreach (var (key, value) in obj.Where(p => p.Key != "$ref"))
                {
                    merged[key] = value?.DeepClone();
                }

                return ToOpenApi(merged, root);
            }

            case JsonObject obj:
            {
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (key == "$schema")
                    {
                        continue;
                    }

                    if (key == "type" && value is JsonArray types)
                    {
                        var named = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList();
                        result["type"] = named.Count == 1 ? named[0] : JsonSerializer.SerializeToNode(named);
                        if (named.Count < types.Count)
                        {
                            result["nullable"] = true;
                        }

                        continue;
                    }

                    result[key] = ToOpenApi(value, root);
                }

                return result;
            }

            case JsonArray array:
                return new JsonArray([.. array.Select(a => ToOpenApi(a, root))]);
            default:
                return node?.DeepClone();
        }
    }
}
