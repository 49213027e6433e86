using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Media.Pipelines.Json;

/// <summary>
/// Reads client JSON into a typed document without guessing: every member the type does not have is reported with its
/// path (a misspelt field is an error, not silently ignored), then a missing required member, a null where none is
/// allowed or a value of the wrong type is reported with its path and the type expected. camelCase names both ways.
/// </summary>
public static class StrictJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>A problem with its JSON path under <c>root</c> ("plan.ranges[1].end").</summary>
    public sealed record Problem(string Path, string Reason);

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>The document, or null with every problem found (unknown members all at once; a type error stops reading).</summary>
    public static T? Parse<T>(string json, string root, List<Problem> problems)
        where T : class
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            problems.Add(new Problem(root, $"is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})"));
            return null;
        }

        using (document)
        {
            var before = problems.Count;
            FindUnknownMembers(document.RootElement, Options.GetTypeInfo(typeof(T)), root, problems);
            if (problems.Count > before)
            {
                return null;
            }

            try
            {
                return document.RootElement.Deserialize<T>(Options) ?? throw new JsonException("The document is null.", "$", null, null);
            }
            catch (JsonException ex)
            {
                problems.Add(new Problem(PathOf(root, ex.Path), Describe(ex)));
                return null;
            }
        }
    }

    // Walks the JSON against the type's contract: members it does not have, members it needs that are missing, nulls it
    // does not take and values of the wrong kind are all reported, each with its path.
    private static void FindUnknownMembers(JsonElement element, JsonTypeInfo info, string path, List<Problem> problems)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return; // checked by the caller, which knows whether this member may be null
        }

        var expected = KindOf(info);
        if (expected is not null && element.ValueKind != expected && !(expected == JsonValueKind.True && element.ValueKind == JsonValueKind.False))
        {
            problems.Add(new Problem(path, "must be " + JsonTypeName(info.Type)));
            return;
        }

        if (element.ValueKind == JsonValueKind.Number && IsWhole(info.Type) && !element.TryGetInt64(out _))
        {
            problems.Add(new Problem(path, "must be a whole number"));
        }
        else if (element.ValueKind == JsonValueKind.Object && info.Kind == JsonTypeInfoKind.Object)
        {
            var members = info.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                var at = $"{path}.{property.Name}";
                seen.Add(property.Name);
                if (!members.TryGetValue(property.Name, out var member))
                {
                    problems.Add(new Problem(at, $"is not a field here (the fields are: {string.Join(", ", members.Keys)})"));
                }
                else if (property.Value.ValueKind == JsonValueKind.Null)
                {
                    if (!member.IsSetNullable && member.AssociatedParameter is not { IsNullable: true })
                    {
                        problems.Add(new Problem(at, "must not be null"));
                    }
                }
                else
                {
                    FindUnknownMembers(property.Value, Options.GetTypeInfo(member.PropertyType), at, problems);
                }
            }

            foreach (var member in info.Properties.Where(m => !seen.Contains(m.Name) && (m.IsRequired || m.AssociatedParameter is { HasDefaultValue: false })))
            {
                problems.Add(new Problem($"{path}.{member.Name}", "is required"));
            }
        }
        else if (element.ValueKind == JsonValueKind.Array && info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } elementType)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                var at = $"{path}[{i++}]";
                if (item.ValueKind == JsonValueKind.Null && elementType.IsValueType && Nullable.GetUnderlyingType(elementType) is null)
                {
                    problems.Add(new Problem(at, "must not be null"));
                    continue;
                }

                FindUnknownMembers(item, Options.GetTypeInfo(elementType), at, problems);
            }
        }
    }

    private static JsonValueKind? KindOf(JsonTypeInfo info)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        return info.Kind switch
        {
            JsonTypeInfoKind.Object => JsonValueKind.Object,
            JsonTypeInfoKind.Dictionary => JsonValueKind.Object,
            JsonTypeInfoKind.Enumerable => JsonValueKind.Array,
            _ when type == typeof(string) => JsonValueKind.String,
            _ when type == typeof(bool) => JsonValueKind.True,
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) || IsWhole(type) => JsonValueKind.Number,
            _ => null,
        };
    }

    private static bool IsWhole(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(int) || t == typeof(long) || t == typeof(short);
    }

    private static string PathOf(string root, string? jsonPath) =>
        jsonPath is null or "$" ? root : root + jsonPath[1..];

    // The walk above catches what clients get wrong; this is the reader's own word for anything else.
    private static string Describe(JsonException ex) => "is not readable: " + ex.Message.Split(" Path:")[0];

    private static string JsonTypeName(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(double) || t == typeof(float) || t == typeof(decimal) ? "a number"
            : IsWhole(t) ? "a whole number"
            : t == typeof(bool) ? "true or false"
            : t == typeof(string) ? "a string"
            : t != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(t) ? "an array"
            : "an object";
    }
}
