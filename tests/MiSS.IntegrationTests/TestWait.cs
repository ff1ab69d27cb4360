namespace MiSS.IntegrationTests;

/// <summary>Polls until a condition holds, failing the test after a timeout.</summary>
static class TestWait
{
    public static async Task<T> ForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: not seen within {timeout}");
            }
            await Task.Delay(50);
        }
    }
}
