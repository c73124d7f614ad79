namespace Sbvae.Explorer;

/// <summary>A request the explorer refuses: answered 400 with <see cref="Exception.Message"/> as plain text.</summary>
public sealed class RequestError(string message) : Exception(message);
