using System.Reflection;

namespace Sbvae.Explorer;

/// <summary>
/// The page's own files, embedded in this assembly and looked up in a fixed table: a request's path
/// picks an entry or nothing, and never names a file on disk.
/// </summary>
public static class Assets
{
    static readonly Dictionary<string, (string Resource, string ContentType)> Table = new(StringComparer.Ordinal)
    {
        ["/"] = ("wwwroot/index.html", "text/html; charset=utf-8"),
        ["/explorer.js"] = ("wwwroot/explorer.js", "text/javascript; charset=utf-8"),
        ["/explorer.css"] = ("wwwroot/explorer.css", "text/css; charset=utf-8"),
    };

    public static IEnumerable<(string Path, byte[] Bytes, string ContentType)> All() =>
        Table.Select(e => (e.Key, Read(e.Value.Resource), e.Value.ContentType));

    static byte[] Read(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the explorer's page is missing its embedded '{resource}'");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
