namespace Sbvae;

/// <summary>
/// A problem the user can fix (bad argument, missing or corrupt file, impossible shape).
/// The command line prints its one-line message and exits with code 2; no stack trace.
/// </summary>
public class SbvaeException(string message, Exception? inner = null) : Exception(message, inner);
