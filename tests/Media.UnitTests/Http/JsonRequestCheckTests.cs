using System.Text.Json;
using Media.JobApi.Http;
using Media.Protos.V1;

namespace Media.UnitTests.Http;

public sealed class JsonRequestCheckTests
{
    // body -> the violations, "field: description"
    [Theory]
    [InlineData("""{"source":{"uploadId":"up_1"},"patternName":"reframe-vertical","priority":"PRIORITY_HIGH","labels":{"a":"b"},"outputs":["vertical"],"publishAt":"2026-12-24T08:00:00Z"}""", "")]
    [InlineData("""{"source":{"upload_id":"up_1"},"pattern_name":"x"}""", "")] // proto field names are JSON too
    [InlineData("""{"source":{"uploadID":"up_1"}}""", "source.uploadID: unknown field; did you mean 'uploadId'?")]
    [InlineData("""{"titel":"typo"}""", "titel: unknown field (the fields of SubmitJobRequest: idempotencyKey, source, patternName, inlinePattern, parameters, outputs, priority, labels, webhookUrl, publishAt, destinations)")]
    [InlineData("""{"source":{"uploadId":12}}""", "source.uploadId: expected a string")]
    [InlineData("""{"priority":"URGENT"}""", "priority: the string \"URGENT\" is not a Priority; use one of: PRIORITY_UNSPECIFIED, PRIORITY_HIGH, PRIORITY_NORMAL, PRIORITY_BULK")]
    [InlineData("""{"labels":{"a":1}}""", "labels.a: expected a string")]
    [InlineData("""{"outputs":"vertical"}""", "outputs: expected a JSON array, got the string \"vertical\"")]
    [InlineData("""{"outputs":["a",2]}""", "outputs[1]: expected a string")]
    [InlineData("""{"publishAt":"tomorrow"}""", "publishAt: expected an RFC 3339 time such as \"2026-12-05T09:00:00Z\"")]
    [InlineData("""{"source":"up_1"}""", "source: expected a JSON object (Source), got the string \"up_1\"")]
    [InlineData("""[]""", "body: expected a JSON object (SubmitJobRequest), got an array")]
    [InlineData("""{"priority":null,"source":null}""", "")] // null: the default
    public void SubmitJob_Bodies(string body, string expected)
    {
        using var document = JsonDocument.Parse(body);

        var violations = JsonRequestCheck.Check(SubmitJobRequest.Descriptor, document.RootElement);

        Assert.Equal(expected, string.Join(" | ", violations));
    }

    [Theory]
    [InlineData("""{"afterSequence":"40"}""", "")]
    [InlineData("""{"afterSequence":40}""", "")]
    [InlineData("""{"afterSequence":4.5}""", "afterSequence: expected a 64-bit integer (a number or a decimal string), got the number 4.5")]
    [InlineData("""{"afterSequence":"forty"}""", "afterSequence: expected a 64-bit integer (a number or a decimal string), got the string \"forty\"")]
    public void Int64_NumberOrDecimalString(string body, string expected)
    {
        using var document = JsonDocument.Parse(body);

        Assert.Equal(expected, string.Join(" | ", JsonRequestCheck.Check(WatchJobRequest.Descriptor, document.RootElement)));
    }
}
