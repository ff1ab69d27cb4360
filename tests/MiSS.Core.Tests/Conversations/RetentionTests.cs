using MiSS.Core.Conversations;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace MiSS.Core.Tests.Conversations;

public class RetentionTests
{
    static Retention Of(int hours, int at) => new(Retention.Clamp(TimeSpan.FromHours(1 + Math.Abs(hours) % 9000)), Math.Abs(at) % 50);

    [FsProperty(MaxTest = 500)]
    public bool Merge_is_commutative_associative_and_idempotent(int h1, int t1, int h2, int t2, int h3, int t3)
    {
        var (x, y, z) = (Of(h1, t1), Of(h2, t2), Of(h3, t3));
        return x.Merge(y) == y.Merge(x) && x.Merge(y).Merge(z) == x.Merge(y.Merge(z)) && x.Merge(x) == x;
    }

    [FsProperty(MaxTest = 500)]
    public bool The_header_form_round_trips(int hours, int at)
    {
        var retention = Of(hours, at);
        return Retention.Parse(retention.ToHeaderValue()) == retention;
    }

    [Test]
    public void The_later_change_wins_and_a_tie_keeps_the_shorter()
    {
        var week = new Retention(TimeSpan.FromDays(7), 100);
        var day = new Retention(TimeSpan.FromDays(1), 200);
        var month = new Retention(TimeSpan.FromDays(30), 200);

        Assert.That(week.Merge(day), Is.EqualTo(day));
        Assert.That(day.Merge(week), Is.EqualTo(day));
        Assert.That(month.Merge(day), Is.EqualTo(day));
        Assert.That(day.Merge(null), Is.EqualTo(day));
    }

    [Test]
    public void A_value_out_of_bounds_is_brought_within_them_and_garbage_is_ignored()
    {
        Assert.That(Retention.Parse("5; t=1")!.Duration, Is.EqualTo(Retention.Minimum));
        Assert.That(Retention.Parse("99999999999999; t=1")!.Duration, Is.EqualTo(Retention.Maximum));
        Assert.That(Retention.Parse("86400")!, Is.EqualTo(new Retention(TimeSpan.FromDays(1), 0)));
        Assert.That(Retention.Parse("-5; t=1"), Is.Null);
        Assert.That(Retention.Parse("un jour"), Is.Null);
        Assert.That(Retention.Parse(null), Is.Null);
    }

    [Test]
    public void The_expiry_is_the_sending_time_plus_the_retention_in_whole_seconds()
    {
        var sent = new DateTimeOffset(2026, 11, 22, 10, 0, 0, 750, TimeSpan.Zero);

        var expiry = new Retention(TimeSpan.FromDays(7), 0).ExpiryOf(sent);

        Assert.That(expiry, Is.EqualTo(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero)));
    }

    [TestCase(7 * 24 * 60, "7 jours")]
    [TestCase(24 * 60, "1 jour")]
    [TestCase(60, "1 heure")]
    [TestCase(12 * 60, "12 heures")]
    [TestCase(90, "90 minutes")]
    public void Durations_are_told_in_french(int minutes, string expected)
    {
        Assert.That(Retention.Describe(TimeSpan.FromMinutes(minutes)), Is.EqualTo(expected));
    }
}
