namespace Media.Pipelines.Publishing;

/// <summary>English words too common to say what a video is about.</summary>
internal static class StopWords
{
    public static readonly HashSet<string> English = new(
        """
        a about above after again against all almost also am an and any are aren't as at be because been before
        being below between both but by can can't could couldn't did didn't do does doesn't doing don't down
        during each even ever every few for from further get gets getting go goes going gonna got had hadn't has
        hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how how's i
        i'd i'll i'm i've if in into is isn't it it's its itself just know let's like little lot lots make made
        many may maybe me more most much must my myself need new no nor not now of off oh ok okay on once one
        only or other ought our ours ourselves out over own pretty quite really right said same say says see
        she she'd she'll she's should shouldn't so some something still such sure take than that that's the
        their theirs them themselves then there there's these they they'd they'll they're they've thing things
        think this those though through to too um uh under until up us very want wanna was wasn't way we we'd
        we'll we're we've well were weren't what what's when when's where where's which while who who's whom
        why why's will with won't would wouldn't yeah yes yet you you'd you'll you're you've your yours
        yourself yourselves actually basically kind sort mean going back thank thanks
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);
}
