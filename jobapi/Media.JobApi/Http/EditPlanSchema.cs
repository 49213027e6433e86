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
        var root = ToOpenApi(schema)!.AsObject();
        root["description"] = "One output's edit as rendered: source ranges kept (source seconds), captions with their words (source seconds) "
            + "and breaks, crop keyframes (the crop window's centre, source pixels), two-person layouts (split or wide spans, source seconds, and their two windows), "
            + "texts (output seconds), logo, music, loudness and preset. "
            + "Read it with GetEditPlan, edit it, send it back with ReviseOutput. Unknown members are refused.";
        return root;
    }

    private static JsonNode? ToOpenApi(JsonNode? node)
    {
        switch (node)
        {
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

                    result[key] = ToOpenApi(value);
                }

                return result;
            }

            case JsonArray array:
                return new JsonArray([.. array.Select(ToOpenApi)]);
            default:
                return node?.DeepClone();
        }
    }
}
