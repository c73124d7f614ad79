namespace Sbvae.Data;

/// <summary>
/// Bob Jenkins' lookup3 hashlittle over bytes, the checksum HDF5 puts on its version-2 superblock and
/// object headers (H5_checksum_lookup3 with initial value 0).
/// </summary>
public static class Lookup3
{
    public static uint Hash(ReadOnlySpan<byte> k, uint initval = 0)
    {
        uint a, b, c;
        a = b = c = 0xdeadbeef + (uint)k.Length + initval;
        while (k.Length > 12)
        {
            a += k[0] + ((uint)k[1] << 8) + ((uint)k[2] << 16) + ((uint)k[3] << 24);
            b += k[4] + ((uint)k[5] << 8) + ((uint)k[6] << 16) + ((uint)k[7] << 24);
            c += k[8] + ((uint)k[9] << 8) + ((uint)k[10] << 16) + ((uint)k[11] << 24);
            Mix(ref a, ref b, ref c);
            k = k[12..];
        }
        if (k.Length == 0) return c;
        Span<byte> tail = stackalloc byte[12];
        k.CopyTo(tail);
        // The missing bytes of the last block count as zero, as the C switch's fall-through adds nothing for them.
        a += tail[0] + ((uint)tail[1] << 8) + ((uint)tail[2] << 16) + ((uint)tail[3] << 24);
        b += tail[4] + ((uint)tail[5] << 8) + ((uint)tail[6] << 16) + ((uint)tail[7] << 24);
        c += tail[8] + ((uint)tail[9] << 8) + ((uint)tail[10] << 16) + ((uint)tail[11] << 24);
        Final(ref a, ref b, ref c);
        return c;
    }

    static uint Rot(uint x, int k) => (x << k) | (x >> (32 - k));

    static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= Rot(c, 4); c += b;
        b -= a; b ^= Rot(a, 6); a += c;
        c -= b; c ^= Rot(b, 8); b += a;
        a -= c; a ^= Rot(c, 16); c += b;
        b -= a; b ^= Rot(a, 19); a += c;
        c -= b; c ^= Rot(b, 4); b += a;
    }

    static void Final(ref uint a, ref uint b, ref uint c)
    {
        c ^= b; c -= Rot(b, 14);
        a ^= c; a -= Rot(c, 11);
        b ^= a; b -= Rot(a, 25);
        c ^= b; c -= Rot(b, 16);
        a ^= c; a -= Rot(c, 4);
        b ^= a; b -= Rot(a, 14);
        c ^= b; c -= Rot(b, 24);
    }
}
