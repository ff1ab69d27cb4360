using FsCheck;
using FsCheck.Fluent;
using MiSS.Core.Conversations;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace MiSS.Core.Tests.Conversations;

public class GroupMembershipTests
{
    /// <summary>One membership change as it travels in a message: who, added or removed, when.</summary>
    public sealed record Change(int Member, bool Added, int At)
    {
        public string Address => $"m{Math.Abs(Member) % 5}@dev.mssante.test";
        public GroupMembership ApplyTo(GroupMembership state) =>
            Added ? state.Add(Address, 1 + Math.Abs(At) % 50) : state.Remove(Address, 1 + Math.Abs(At) % 50);
    }

    static GroupMembership Apply(IEnumerable<Change> changes) => changes.Aggregate(GroupMembership.Empty, (s, c) => c.ApplyTo(s));

    [FsProperty(MaxTest = 500)]
    public bool Any_order_and_any_repetition_of_the_same_changes_converges(Change[] changes, int seed)
    {
        var shuffled = changes.Concat(changes.Take(changes.Length / 2)).OrderBy(_ => new Random(seed).Next()).ToArray();
        return Apply(changes).ToHeaderValue() == Apply(shuffled).ToHeaderValue();
    }

    [FsProperty(MaxTest = 500)]
    public bool Merge_is_commutative_associative_and_idempotent(Change[] a, Change[] b, Change[] c)
    {
        var (x, y, z) = (Apply(a), Apply(b), Apply(c));
        return x.Merge(y).ToHeaderValue() == y.Merge(x).ToHeaderValue()
               && x.Merge(y).Merge(z).ToHeaderValue() == x.Merge(y.Merge(z)).ToHeaderValue()
               && x.Merge(x).ToHeaderValue() == x.ToHeaderValue();
    }

    [FsProperty(MaxTest = 500)]
    public bool The_header_form_round_trips(Change[] changes)
    {
        var state = Apply(changes);
        return GroupMembership.Parse(state.ToHeaderValue()).ToHeaderValue() == state.ToHeaderValue();
    }

    [Test]
    public void The_latest_change_wins_and_a_tie_removes()
    {
        var state = GroupMembership.Empty.Add("a@x.test", 10).Remove("a@x.test", 20).Add("b@x.test", 10);
        Assert.That(state.Members, Is.EqualTo(new[] { "b@x.test" }));

        Assert.That(state.Add("a@x.test", 30).Contains("a@x.test"), Is.True, "re-added later");
        Assert.That(state.Add("a@x.test", 15).Contains("a@x.test"), Is.False, "an older addition arriving late changes nothing");
        Assert.That(GroupMembership.Empty.Add("c@x.test", 5).Remove("c@x.test", 5).Contains("c@x.test"), Is.False, "tie: removed");
    }

    [Test]
    public void Two_concurrent_changes_made_on_different_sides_converge()
    {
        // A removes C while B adds D, each from the same starting group; each side then receives the other's change.
        var start = GroupMembership.Empty.Add("a@x.test", 1).Add("b@x.test", 1).Add("c@x.test", 1);
        var onA = start.Remove("c@x.test", 100);
        var onB = start.Add("d@x.test", 101);

        var aAfter = onA.Merge(onB);
        var bAfter = onB.Merge(onA);

        Assert.That(aAfter.Members, Is.EqualTo(new[] { "a@x.test", "b@x.test", "d@x.test" }));
        Assert.That(bAfter.Members, Is.EqualTo(aAfter.Members));
    }

    [Test]
    public void Addresses_are_compared_without_case_and_junk_entries_are_skipped()
    {
        var state = GroupMembership.Parse("A@X.test;a=5, not-an-address;a=9, b@x.test;a=zz, c@x.test;a=3;r=2, evil@x.test a=1");

        Assert.That(state.Members, Is.EqualTo(new[] { "a@x.test", "c@x.test" }));
        Assert.That(state.Contains("a@X.TEST"), Is.True);
        Assert.That(state.Contains("b@x.test"), Is.False, "an unreadable time counts as never");
        Assert.That(state.Entries.ContainsKey("evil@x.test"), Is.False);
    }
}
