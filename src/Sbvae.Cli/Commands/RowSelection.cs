using System.CommandLine;
using System.Globalization;
using Sbvae.Data;

namespace Sbvae.Cli.Commands;

/// <summary>
/// Which images `encode` and `reconstruct` write: --count N (the first N, in dataset order),
/// --indices (a list or a file of one index a line) or --all. Without one, a dataset of more than
/// <see cref="StoreRows.Large"/> images is refused, so nobody writes many gigabytes by accident.
/// </summary>
public sealed class RowSelection
{
    readonly Option<int?> count = new("--count") { Description = "Only the first N images, in dataset order" };
    readonly Option<string?> indices = new("--indices") { Description = "Only these images: comma-separated indices, or a file with one index a line" };
    readonly Option<bool> all = new("--all") { Description = $"Every image, even of a dataset larger than {StoreRows.Large:N0}" };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(count);
        cmd.Options.Add(indices);
        cmd.Options.Add(all);
    }

    /// <summary>The chosen rows of <paramref name="store"/>, in the order given.</summary>
    public long[] Rows(ParseResult p, IImageStore store) => Choose(p.GetValue(count), p.GetValue(indices), p.GetValue(all), store.Count);

    /// <summary>The rows the three options choose of <paramref name="total"/> images.</summary>
    public static long[] Choose(int? n, string? list, bool every, int total)
    {
        if ((n is not null ? 1 : 0) + (list is not null ? 1 : 0) + (every ? 1 : 0) > 1)
            throw new SbvaeException("give one of --count, --indices and --all");
        if (n is int c)
        {
            if (c < 1 || c > total) throw new SbvaeException($"--count must be between 1 and the dataset's {total:N0} images, got {c}");
            return Range(c);
        }
        if (list is not null) return Parse(list, total);
        if (!every && total > StoreRows.Large)
            throw new SbvaeException($"the dataset has {total:N0} images: pass --count N or --indices to choose some, or --all for every one");
        return Range(total);
    }

    static long[] Range(int n)
    {
        var rows = new long[n];
        for (int i = 0; i < n; i++) rows[i] = i;
        return rows;
    }

    static long[] Parse(string list, int total)
    {
        bool isFile = File.Exists(list);
        IEnumerable<string> items;
        try { items = isFile ? File.ReadLines(list) : list.Split(','); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new SbvaeException($"cannot read --indices '{list}': {e.Message}"); }
        var rows = new List<long>();
        int line = 0;
        foreach (string raw in items)
        {
            line++;
            string item = raw.Trim();
            if (item.Length == 0 && isFile) continue;
            if (!long.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out long i))
                throw new SbvaeException(isFile ? $"--indices {list}: line {line} is not an index: '{item}'" : $"--indices: '{item}' is not an index");
            if (i < 0 || i >= total) throw new SbvaeException($"--indices: {i} is outside the dataset's 0..{total - 1}");
            rows.Add(i);
        }
        if (rows.Count == 0) throw new SbvaeException($"--indices {list} names no image");
        return [.. rows];
    }
}
