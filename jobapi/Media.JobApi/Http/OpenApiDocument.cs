using System.Text.Json;
using Google.Api;
using Google.Protobuf.Reflection;

namespace Media.JobApi.Http;

/// <summary>
/// The OpenAPI 3.0 description of the REST routes, written from the same proto descriptors and google.api.http
/// annotations JSON transcoding serves, so the two cannot drift apart. Field names and types follow the proto3
/// JSON mapping (lowerCamelCase, int64 as string, enums as their names, Timestamp as RFC 3339).
/// </summary>
public static class OpenApiDocument
{
    public static IReadOnlyList<ServiceDescriptor> Services { get; } =
    [
        Protos.V1.Jobs.Descriptor,
        Protos.V1.Uploads.Descriptor,
        Protos.V1.Patterns.Descriptor,
        Protos.V1.Engagement.Descriptor,
        Protos.V1.Admin.Descriptor,
        Protos.V1.Farm.Descriptor,
    ];

    /// <summary>Every method with a REST route: (service, method, HTTP verb, path, body).</summary>
    public static IEnumerable<(ServiceDescriptor Service, MethodDescriptor Method, string Verb, string Path, string Body)> Routes() =>
        from service in Services
        from method in service.Methods
        let rule = method.GetOptions()?.GetExtension(AnnotationsExtensions.Http)
        where rule is not null && rule.PatternCase != HttpRule.PatternOneofCase.None
        select (service, method, rule.PatternCase.ToString().ToLowerInvariant(), PathOf(rule), rule.Body);

    public static byte[] Write()
    {
        var schemas = new SortedDictionary<string, MessageDescriptor>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("openapi", "3.0.3");
            json.WriteStartObject("info");
            json.WriteString("title", "Media Farm REST API");
            json.WriteString("version", "v1");
            json.WriteString("description", "The gRPC services (media.v1) over HTTP/1.1 JSON. Send \"authorization: Bearer <API key>\". Errors: google.rpc.Status as JSON with the gRPC code mapped to HTTP.");
            json.WriteEndObject();
            // Relative: the farm answering /openapi.json is the server (its address differs per deployment).
            json.WriteStartArray("servers");
            json.WriteStartObject();
            json.WriteString("url", "/");
            json.WriteString("description", "The farm this document was read from.");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartArray("security");
            json.WriteStartObject();
            json.WriteStartArray("bearer");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartArray("tags");
            foreach (var service in Services)
            {
                json.WriteStartObject();
                json.WriteString("name", service.Name);
                json.WriteString("description", ProtoComments.For(service.FullName) ?? service.Name);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("paths");
            foreach (var group in Routes().GroupBy(r => r.Path).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(group.Key);
                foreach (var (service, method, verb, path, body) in group)
                {
                    WriteOperation(json, service, method, verb, path, body, schemas);
                }

                json.WriteEndObject();
            }

            WriteOutputContentPath(json);
            json.WriteEndObject();
            json.WriteStartObject("components");
            json.WriteStartObject("securitySchemes");
            json.WriteStartObject("bearer");
            json.WriteString("type", "http");
            json.WriteString("scheme", "bearer");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartObject("schemas");
            var written = new HashSet<string>(StringComparer.Ordinal);
            while (schemas.Keys.FirstOrDefault(k => !written.Contains(k)) is { } next)
            {
                written.Add(next);
                WriteSchema(json, schemas[next], schemas);
            }

            WriteStatusSchema(json);
            WriteProblemSchema(json);
            json.WritePropertyName(EditPlanSchema.Name);
            EditPlanSchema.Build().WriteTo(json);

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string PathOf(HttpRule rule) => rule.PatternCase switch
    {
        HttpRule.PatternOneofCase.Get => rule.Get,
        HttpRule.PatternOneofCase.Post => rule.Post,
        HttpRule.PatternOneofCase.Put => rule.Put,
        HttpRule.PatternOneofCase.Delete => rule.Delete,
        HttpRule.PatternOneofCase.Patch => rule.Patch,
        _ => rule.Custom.Path,
    };

    private static void WriteOperation(Utf8JsonWriter json, ServiceDescriptor service, MethodDescriptor method, string verb, string path, string body, IDictionary<string, MessageDescriptor> schemas)
    {
        json.WriteStartObject(verb);
        json.WriteString("operationId", $"{service.Name}_{method.Name}");
        json.WriteStartArray("tags");
        json.WriteStringValue(service.Name);
        json.WriteEndArray();
        var comment = ProtoComments.For(method.FullName) ?? $"{service.Name}.{method.Name}";
        json.WriteString("summary", ProtoComments.Summary(comment));
        json.WriteString("description", comment);
        var pathFields = System.Text.RegularExpressions.Regex.Matches(path, @"\{([a-z_]+)\}").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        json.WriteStartArray("parameters");
        foreach (var field in method.InputType.Fields.InFieldNumberOrder())
        {
            var inPath = pathFields.Contains(field.Name);
            // Without a body every scalar field may come as a query parameter; maps and messages cannot.
            if (!inPath && (body.Length > 0 || field.IsMap || field.FieldType == FieldType.Message))
            {
                continue;
            }

            json.WriteStartObject();
            json.WriteString("name", inPath ? field.Name : field.JsonName);
            json.WriteString("in", inPath ? "path" : "query");
            if (ProtoComments.For(field.FullName) is { } about)
            {
                json.WriteString("description", about);
            }

            json.WriteBoolean("required", inPath);
            json.WritePropertyName("schema");
            WriteFieldType(json, field, schemas);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (body.Length > 0)
        {
            json.WriteStartObject("requestBody");
            json.WriteBoolean("required", true);
            json.WriteStartObject("content");
            json.WriteStartObject("application/json");
            json.WritePropertyName("schema");
            WriteRef(json, method.InputType, schemas);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteStartObject("responses");
        // A stream's media type says how to read it: each line of it is one object of the schema.
        WriteResponse(json, "200",
            method.IsServerStreaming
                ? $"A stream of {method.OutputType.Name} objects as newline-delimited JSON (application/x-ndjson): one object per line, written as they come; read it line by line."
                : method.OutputType.Name,
            method.IsServerStreaming ? RestContract.StreamMediaType : "application/json",
            () => WriteRef(json, method.OutputType, schemas));
        WriteResponse(json, "4XX", "The request was refused: google.rpc.Status with the gRPC code (400 InvalidArgument with BadRequest field violations, 401, 403, 404 NotFound with ResourceInfo, 409 AlreadyExists/Aborted, 429 ResourceExhausted with QuotaFailure).", "application/json", () => WriteComponent(json, "Status"));
        WriteResponse(json, "5XX", "The farm could not answer: google.rpc.Status (500 Internal, 503 Unavailable: try again).", "application/json", () => WriteComponent(json, "Status"));
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// The route GetOutputLink's links point at on folder storage: served by the API itself, outside transcoding, with
    /// the link's signature as its only credential.
    /// </summary>
    private static void WriteOutputContentPath(Utf8JsonWriter json)
    {
        json.WriteStartObject(OutputContentEndpoint.Route);
        json.WriteStartObject("get");
        json.WriteString("operationId", "Jobs_GetOutputContent");
        json.WriteStartArray("tags");
        json.WriteStringValue("Jobs");
        json.WriteEndArray();
        json.WriteString("summary", "One output's bytes, through a link from GetOutputLink");
        json.WriteString("description", "The URL GetOutputLink returns on folder storage (on S3 it returns a presigned storage URL instead). The link's query (tenant, expires, token) is its credential: no API key is sent, and a changed or expired link is 403. Byte ranges are served (206), so video players seek; the ETag is the output's SHA-256.");
        json.WriteStartArray("security");
        json.WriteStartObject();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartArray("parameters");
        foreach (var (name, place, type, about) in (ReadOnlySpan<(string, string, string, string)>)[
            ("jobId", "path", "string", "The job."),
            ("name", "path", "string", "The output's name."),
            ("tenant", "query", "string", "The job's tenant, as the link names it."),
            ("expires", "query", "integer", "When the link stops working, in Unix seconds."),
            ("token", "query", "string", "The link's signature."),
            ("Range", "header", "string", "An optional byte range (bytes=START-END)."),
        ])
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("in", place);
            json.WriteString("description", about);
            json.WriteBoolean("required", place != "header");
            json.WriteStartObject("schema");
            json.WriteString("type", type);
            if (type == "integer")
            {
                json.WriteString("format", "int64");
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("responses");
        WriteResponse(json, "200", "The whole output.", "application/octet-stream", () => WriteBinary(json));
        WriteResponse(json, "206", "The requested byte range.", "application/octet-stream", () => WriteBinary(json));
        WriteResponse(json, "403", "The link was changed or has expired.", "application/problem+json", () => WriteComponent(json, "ProblemDetails"));
        WriteResponse(json, "404", "The job has no such output, or its object is gone from storage.", "application/problem+json", () => WriteComponent(json, "ProblemDetails"));
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>One response: its code, description, and a body of one media type whose schema <paramref name="schema"/> writes.</summary>
    private static void WriteResponse(Utf8JsonWriter json, string code, string description, string mediaType, Action schema)
    {
        json.WriteStartObject(code);
        json.WriteString("description", description);
        json.WriteStartObject("content");
        json.WriteStartObject(mediaType);
        json.WritePropertyName("schema");
        schema();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteComponent(Utf8JsonWriter json, string name)
    {
        json.WriteStartObject();
        json.WriteString("$ref", "#/components/schemas/" + name);
        json.WriteEndObject();
    }

    private static void WriteBinary(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("type", "string");
        json.WriteString("format", "binary");
        json.WriteEndObject();
    }

    // RFC 9457 problem details: what the output content route answers when it refuses (it is not a gRPC method).
    private static void WriteProblemSchema(Utf8JsonWriter json)
    {
        json.WriteStartObject("ProblemDetails");
        json.WriteString("type", "object");
        json.WriteString("description", "An error of the output content route (RFC 9457): title, status and detail.");
        json.WriteStartObject("properties");
        foreach (var (name, type) in (ReadOnlySpan<(string, string)>)[("type", "string"), ("title", "string"), ("status", "integer"), ("detail", "string")])
        {
            json.WriteStartObject(name);
            json.WriteString("type", type);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    // google.rpc.Status as the proto3 JSON mapping writes it: details are Any objects named by "@type".
    private static void WriteStatusSchema(Utf8JsonWriter json)
    {
        json.WriteStartObject("Status");
        json.WriteString("type", "object");
        json.WriteString("description", "An error: the gRPC status code (3 InvalidArgument, 5 NotFound, …), a message, and details such as google.rpc.BadRequest (fieldViolations: field, description), ErrorInfo, ResourceInfo, PreconditionFailure, QuotaFailure.");
        json.WriteStartObject("properties");
        json.WriteStartObject("code");
        json.WriteString("type", "integer");
        json.WriteString("format", "int32");
        json.WriteEndObject();
        json.WriteStartObject("message");
        json.WriteString("type", "string");
        json.WriteEndObject();
        json.WriteStartObject("details");
        json.WriteString("type", "array");
        json.WriteStartObject("items");
        json.WriteString("type", "object");
        json.WriteStartObject("properties");
        json.WriteStartObject("@type");
        json.WriteString("type", "string");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteBoolean("additionalProperties", true);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteSchema(Utf8JsonWriter json, MessageDescriptor message, IDictionary<string, MessageDescriptor> schemas)
    {
        json.WriteStartObject(message.Name);
        json.WriteString("type", "object");
        if (ProtoComments.For(message.FullName) is { } about)
        {
            json.WriteString("description", about);
        }

        json.WriteStartObject("properties");
        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            json.WritePropertyName(field.JsonName);
            WriteFieldType(json, field, schemas, ProtoComments.For(field.FullName));
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <param name="description">The field's proto comment; not written beside a $ref, where OpenAPI 3.0 ignores it.</param>
    private static void WriteFieldType(Utf8JsonWriter json, FieldDescriptor field, IDictionary<string, MessageDescriptor> schemas, string? description = null)
    {
        if (field.IsMap)
        {
            json.WriteStartObject();
            json.WriteString("type", "object");
            WriteDescription(json, description);
            json.WritePropertyName("additionalProperties");
            WriteSingle(json, field.MessageType.FindFieldByNumber(2), schemas);
            json.WriteEndObject();
        }
        else if (field.IsRepeated)
        {
            json.WriteStartObject();
            json.WriteString("type", "array");
            WriteDescription(json, description);
            json.WritePropertyName("items");
            WriteSingle(json, field, schemas);
            json.WriteEndObject();
        }
        else
        {
            WriteSingle(json, field, schemas, description);
        }
    }

    private static void WriteDescription(Utf8JsonWriter json, string? description)
    {
        if (description is not null)
        {
            json.WriteString("description", description);
        }
    }

    private static void WriteSingle(Utf8JsonWriter json, FieldDescriptor field, IDictionary<string, MessageDescriptor> schemas, string? description = null)
    {
        if (field.FieldType == FieldType.Message)
        {
            WriteRef(json, field.MessageType, schemas);
            return;
        }

        json.WriteStartObject();
        WriteDescription(json, description);
        switch (field.FieldType)
        {
            case FieldType.String:
                json.WriteString("type", "string");
                break;
            case FieldType.Bytes:
                json.WriteString("type", "string");
                json.WriteString("format", "byte");
                break;
            case FieldType.Bool:
                json.WriteString("type", "boolean");
                break;
            case FieldType.Double or FieldType.Float:
                json.WriteString("type", "number");
                break;
            case FieldType.Int32 or FieldType.SInt32 or FieldType.UInt32 or FieldType.Fixed32 or FieldType.SFixed32:
                json.WriteString("type", "integer");
                json.WriteString("format", "int32");
                break;
            case FieldType.Enum:
                json.WriteString("type", "string");
                json.WriteStartArray("enum");
                foreach (var value in field.EnumType.Values)
                {
                    json.WriteStringValue(value.Name);
                }

                json.WriteEndArray();
                break;
            default:
                // 64-bit integers are strings in proto3 JSON (JavaScript numbers cannot hold them).
                json.WriteString("type", "string");
                json.WriteString("format", "int64");
                break;
        }

        json.WriteEndObject();
    }

    private static void WriteRef(Utf8JsonWriter json, MessageDescriptor message, IDictionary<string, MessageDescriptor> schemas)
    {
        json.WriteStartObject();
        switch (message.FullName)
        {
            case "google.protobuf.Timestamp":
                json.WriteString("type", "string");
                json.WriteString("format", "date-time");
                break;
            case "google.protobuf.Duration":
                json.WriteString("type", "string");
                break;
            case "google.protobuf.Struct":
                // The API's one free-form object is the edit plan, whose schema is the farm's own type.
                json.WriteString("$ref", "#/components/schemas/" + EditPlanSchema.Name);
                break;
            default:
                schemas.TryAdd(message.Name, message);
                json.WriteString("$ref", "#/components/schemas/" + message.Name);
                break;
        }

        json.WriteEndObject();
    }
}
