using System.ComponentModel.DataAnnotations;
using Media.JobApi.Webhooks;

namespace Media.UnitTests.Webhooks;

public sealed class WebhookOptionsTests
{
    [Theory]
    [InlineData(6, 2000, 10, 420, true)] // the defaults: the longest wait is 2 s doubled 4 times (32 s), +20% jitter, +10 s = 48.4 s
    [InlineData(6, 2000, 10, 49, true)]
    [InlineData(6, 2000, 10, 48, false)]
    [InlineData(20, 2000, 10, 370, false)] // backoff capped at 5 min: 360 s with jitter, +10 s
    [InlineData(20, 2000, 10, 371, true)]
    [InlineData(3, 1000, 5, 10, true)] // 2 s doubled once, +20%, +5 s = 7.4 s
    [InlineData(3, 1000, 5, 7, false)]
    public void ResumeAfter_MustOutlastTheLongestWaitBetweenAttempts(int attempts, int baseDelay, int timeout, int resumeAfter, bool valid)
    {
        var options = new WebhookOptions { MaxAttempts = attempts, RetryBaseDelayMilliseconds = baseDelay, TimeoutSeconds = timeout, ResumeAfterSeconds = resumeAfter };
        var results = new List<ValidationResult>();

        var ok = Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);

        Assert.Equal(valid, ok);
        Assert.Equal(valid ? [] : ["ResumeAfterSeconds"], results.SelectMany(r => r.MemberNames));
    }
}
