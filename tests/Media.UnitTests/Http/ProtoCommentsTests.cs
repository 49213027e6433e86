using Media.JobApi.Http;

namespace Media.UnitTests.Http;

public sealed class ProtoCommentsTests
{
    [Fact]
    public void Parse_ReadsTheCommentRightAboveEachMethodMessageFieldAndEnumValue()
    {
        const string Proto = """
            syntax = "proto3";
            package media.v1;
            option csharp_namespace = "Media.Protos.V1"; // not a declaration

            // Submit jobs.
            service Jobs {
              // Submits one job. Fields are
              // named when wrong.
              rpc SubmitJob(SubmitJobRequest) returns (Job) {
                option (google.api.http) = { post: "/v1/jobs/{job_id}:x" body: "*" };
              }
              rpc GetJob(GetJobRequest) returns (Job) {}
            }

            // A job.
            message Job {
              // Its id.
              string id = 1;

              map<string, string> labels = 2;
              oneof kind {
                // From an upload.
                string upload_id = 3;
              }
              // Nested.
              message Part {
                // Where it starts.
                repeated double start_seconds = 1;
              }
            }

            enum JobState {
              // Not set.
              JOB_STATE_UNSPECIFIED = 0;
            }
            """;

        var comments = ProtoComments.Parse(Proto);

        Assert.Equal("Submit jobs.", comments["media.v1.Jobs"]);
        Assert.Equal("Submits one job. Fields are named when wrong.", comments["media.v1.Jobs.SubmitJob"]);
        Assert.False(comments.ContainsKey("media.v1.Jobs.GetJob"));
        Assert.Equal("A job.", comments["media.v1.Job"]);
        Assert.Equal("Its id.", comments["media.v1.Job.id"]);
        Assert.False(comments.ContainsKey("media.v1.Job.labels"));
        Assert.Equal("From an upload.", comments["media.v1.Job.upload_id"]);
        Assert.Equal("Nested.", comments["media.v1.Job.Part"]);
        Assert.Equal("Where it starts.", comments["media.v1.Job.Part.start_seconds"]);
        Assert.Equal("Not set.", comments["media.v1.JobState.JOB_STATE_UNSPECIFIED"]);
    }

    [Fact]
    public void EveryRestRoute_HasItsSummaryFromTheProtos()
    {
        var missing = OpenApiDocument.Routes().Where(r => ProtoComments.For(r.Method.FullName) is null).Select(r => r.Method.FullName).ToList();

        Assert.Empty(missing);
        Assert.Equal("Submits one edit job: a source (an upload, or a stored object) and a pattern (by name or inline), with merge fields, labels, priority, an idempotency key and a webhook",
            ProtoComments.Summary(ProtoComments.For("media.v1.Jobs.SubmitJob")!));
        Assert.Equal("Only jobs in this state (unspecified = any).", ProtoComments.For("media.v1.ListJobsRequest.state"));
    }

    [Fact]
    public void Summary_IsTheFirstSentence()
    {
        Assert.Equal("One job", ProtoComments.Summary("One job. Then more."));
        Assert.Equal("Version 1.2 of it", ProtoComments.Summary("Version 1.2 of it"));
    }
}
