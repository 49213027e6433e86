using System.Globalization;
using System.Text.Json;
using Google.Protobuf.Reflection;
using Media.JobApi.Errors;

namespace Media.JobApi.Http;

/// <summary>
/// A REST request body checked against its protobuf message before it is transcoded, the way the proto3 JSON mapping
/// reads it: every problem with its path in the body ("source.uploadId", "labels.tier", "outputs[1]"). An unknown field
/// is refused (a typo such as "titel" would otherwise be dropped without a word) and named, with the field it was
/// probably meant to be; a value of the wrong type names the type expected; an enum value names the allowed ones.
/// </summary>
public static class JsonRequestCheck
{
    public static IReadOnlyList<FieldViolation> Check(MessageDescriptor message, JsonElement body, string path = "")
    {
        var violations = new List<FieldViolation>();
        CheckMessage(message, body, path, violations);
        return violations;
    }

    private static void CheckMessage(MessageDescriptor message, JsonElement value, string path, List<FieldViolation> violations)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            violations.Add(new FieldViolation(Named(path), $"expected a JSON object ({message.Name}), got {Kind(value)}"));
            return;
        }

        foreach (var property in value.EnumerateObject())
        {
            var field = message.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == property.Name || f.Name == property.Name);
            var at = Join(path, property.Name);
            if (field is null)
            {
                var meant = message.Fields.InDeclarationOrder().FirstOrDefault(f =>
                    string.Equals(f.JsonName, property.Name, StringComparison.OrdinalIgnoreCase) || string.Equals(f.Name, property.Name, StringComparison.OrdinalIgnoreCase));
                violations.Add(new FieldViolation(at, meant is null
                    ? $"unknown field (the fields of {message.Name}: {string.Join(", ", message.Fields.InDeclarationOrder().Select(f => f.JsonName))})"
                    : $"unknown field; did you mean '{meant.JsonName}'?"));
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue; // null is the field's default in the proto3 JSON mapping
            }

            if (field.IsMap)
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    violations.Add(new FieldViolation(at, $"expected a JSON object (a map), got {Kind(property.Value)}"));
                    continue;
                }

                var valueField = field.MessageType.FindFieldByNumber(2);
                foreach (var entry in property.Value.EnumerateObject())
                {
                    CheckSingle(valueField, entry.Value, Join(at, entry.Name), violations);
                }
            }
            else if (field.IsRepeated)
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    violations.Add(new FieldViolation(at, $"expected a JSON array, got {Kind(property.Value)}"));
                    continue;
                }

                var i = 0;
                foreach (var item in property.Value.EnumerateArray())
                {
                    CheckSingle(field, item, FormattableString.Invariant($"{at}[{i++}]"), violations);
                }
            }
            else
            {
                CheckSingle(field, property.Value, at, violations);
            }
        }
    }

    private static void CheckSingle(FieldDescriptor field, JsonElement value, string path, List<FieldViolation> violations)
    {
        var problem = field.FieldType switch
        {
            FieldType.String => value.ValueKind == JsonValueKind.String ? null : "expected a string",
            FieldType.Bytes => value.ValueKind == JsonValueKind.String && IsBase64(value.GetString()!) ? null : "expected base64 bytes (a string)",
            FieldType.Bool => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "expected true or false",
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => Integer(value, int.MinValue, int.MaxValue, "a 32-bit integer"),
            FieldType.UInt32 or FieldType.Fixed32 => Integer(value, 0, uint.MaxValue, "an unsigned 32-bit integer"),
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => Integer(value, long.MinValue, long.MaxValue, "a 64-bit integer (a number or a decimal string)"),
            FieldType.UInt64 or FieldType.Fixed64 => Integer(value, 0, ulong.MaxValue, "an unsigned 64-bit integer (a number or a decimal string)"),
            FieldType.Double or FieldType.Float => Number(value),
            FieldType.Enum => Enum(field.EnumType, value),
            FieldType.Message or FieldType.Group => WellKnown(field.MessageType, value, path, violations),
            _ => null,
        };
        if (problem is not null)
        {
            violations.Add(new FieldViolation(Named(path), problem));
        }
    }

    // Well-known types have their own JSON forms; any other message is checked field by field.
    private static string? WellKnown(MessageDescriptor message, JsonElement value, string path, List<FieldViolation> violations)
    {
        switch (message.FullName)
        {
            case "google.protobuf.Timestamp":
                return value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                    ? null : "expected an RFC 3339 time such as \"2026-12-05T09:00:00Z\"";
            case "google.protobuf.Duration":
                return value.ValueKind == JsonValueKind.String && value.GetString()!.EndsWith('s') ? null : "expected a duration such as \"1.5s\"";
            case "google.protobuf.FieldMask":
                return value.ValueKind == JsonValueKind.String ? null : "expected a comma-separated list of field paths (a string)";
            case "google.protobuf.Struct":
                return value.ValueKind == JsonValueKind.Object ? null : $"expected a JSON object, got {Kind(value)}";
            case "google.protobuf.ListValue":
                return value.ValueKind == JsonValueKind.Array ? null : $"expected a JSON array, got {Kind(value)}";
            case "google.protobuf.Value":
            case "google.protobuf.Any":
                return null;
            default:
                if (message.FullName.StartsWith("google.protobuf.", StringComparison.Ordinal) && message.FullName.EndsWith("Value", StringComparison.Ordinal))
                {
                    CheckSingle(message.FindFieldByNumber(1), value, path, violations); // a wrapper: its value's form
                    return null;
                }

                CheckMessage(message, value, path, violations);
                return null;
        }
    }

    private static string? Integer(JsonElement value, decimal min, decimal max, string expected)
    {
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDecimal(out var n) && n == decimal.Truncate(n) && n >= min && n <= max,
            JsonValueKind.String => decimal.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) && s >= min && s <= max,
            _ => false,
        };
        return ok ? null : $"expected {expected}, got {Kind(value)}";
    }

    private static string? Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => null,
        JsonValueKind.String when value.GetString() is "NaN" or "Infinity" or "-Infinity"
            || double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _) => null,
        _ => $"expected a number, got {Kind(value)}",
    };

    private static string? Enum(EnumDescriptor type, JsonElement value)
    {
        var ok = value.ValueKind switch
        {
            JsonValueKind.String => type.FindValueByName(value.GetString()!) is not null,
            JsonValueKind.Number => value.TryGetInt32(out var n) && type.FindValueByNumber(n) is not null,
            _ => false,
        };
        return ok ? null : $"{Kind(value)} is not a {type.Name}; use one of: {string.Join(", ", type.Values.Select(v => v.Name))}";
    }

    private static bool IsBase64(string text)
    {
        var normal = text.Replace('-', '+').Replace('_', '/');
        Span<byte> buffer = new byte[(normal.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(normal.PadRight(normal.Length + ((4 - (normal.Length % 4)) % 4), '='), buffer, out _);
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string {Shorten(value.GetString()!)}",
        JsonValueKind.Number => $"the number {(value.GetRawText() is { Length: > 40 } raw ? raw[..40] + "…" : value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "null",
    };

    private static string Shorten(string text) => JsonSerializer.Serialize(text.Length > 40 ? text[..40] + "…" : text);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Named(string path) => path.Length == 0 ? "body" : path;
}
