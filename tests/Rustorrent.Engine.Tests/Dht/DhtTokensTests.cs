using System.Net;
using Rustorrent.Dht;
using Rustorrent.Engine.Tests.Trackers;

namespace Rustorrent.Engine.Tests.Dht;

public sealed class DhtTokensTests
{
    private static readonly IPAddress Asker = IPAddress.Parse("192.0.2.7");

    [Fact]
    public void A_token_is_valid_for_the_address_it_was_issued_to_only()
    {
        var tokens = new DhtTokens(new ManualTimeProvider());
        var token = tokens.Issue(Asker);

        Assert.Equal(DhtTokens.TokenLength, token.Length);
        Assert.True(tokens.IsValid(token, Asker));
        Assert.False(tokens.IsValid(token, IPAddress.Parse("192.0.2.8")));
        Assert.False(tokens.IsValid(new byte[DhtTokens.TokenLength], Asker));
        Assert.False(tokens.IsValid(token.AsSpan(0, 4), Asker));
        Assert.False(tokens.IsValid([], Asker));
    }

    [Fact]
    public void A_token_outlives_one_rotation_of_the_secret_but_not_two()
    {
        var clock = new ManualTimeProvider();
        var tokens = new DhtTokens(clock);
        var token = tokens.Issue(Asker);

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.True(tokens.IsValid(token, Asker));
        clock.Advance(TimeSpan.FromMinutes(2)); // 6 minutes: one rotation, the old secret is still accepted
        Assert.True(tokens.IsValid(token, Asker));
        var fresh = tokens.Issue(Asker);
        Assert.NotEqual(token, fresh);
        clock.Advance(TimeSpan.FromMinutes(5)); // 11 minutes: a second rotation
        Assert.False(tokens.IsValid(token, Asker));
        Assert.True(tokens.IsValid(fresh, Asker));
    }

    [Fact]
    public void After_a_long_silence_no_old_token_is_accepted()
    {
        var clock = new ManualTimeProvider();
        var tokens = new DhtTokens(clock);
        var token = tokens.Issue(Asker);
        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.False(tokens.IsValid(token, Asker));
    }
}
