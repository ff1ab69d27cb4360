namespace MiSS.Build;

/// <summary>The demo: two MiSS instances on the local mail server exchange a message.</summary>
static class DemoCommand
{
    public static Task<int> RunAsync()
    {
        Console.Error.WriteLine("demo: not written yet");
        return Task.FromResult(1);
    }
}
