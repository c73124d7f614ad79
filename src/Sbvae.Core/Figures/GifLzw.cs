namespace Sbvae.Figures;

/// <summary>
/// GIF's variable-width LZW (GIF89a spec, appendix F) for 8-bit colour indices: codes grow
/// from 9 to 12 bits, and the table is reset with a clear code once code 4095 is assigned.
/// The output is packed least-significant bit first and cut into ≤255-byte sub-blocks.
/// </summary>
internal static class GifLzw
{
    const int MinCodeSize = 8;
    const int ClearCode = 1 << MinCodeSize;
    const int EndCode = ClearCode + 1;
    const int MaxCode = 4095;

    /// <summary>Writes the minimum code size byte, the data sub-blocks and the block terminator.</summary>
    public static void Write(Stream output, ReadOnlySpan<byte> indices)
    {
        output.WriteByte(MinCodeSize);
        var bits = new BitPacker(output);
        var table = new Dictionary<int, int>(MaxCode + 1);
        int codeSize = MinCodeSize + 1;
        int lastAssigned = EndCode;

        bits.Put(ClearCode, codeSize);
        if (indices.Length > 0)
        {
            int prefix = indices[0];
            for (int i = 1; i < indices.Length; i++)
            {
                int k = indices[i];
                int key = (prefix << 8) | k;
                if (table.TryGetValue(key, out int code)) { prefix = code; continue; }

                bits.Put(prefix, codeSize);
                table[key] = ++lastAssigned;
                // The decoder learns each code one step later, so it widens exactly when the
                // code just assigned no longer fits: widen now, before the next write.
                if (lastAssigned >= 1 << codeSize && codeSize < 12) codeSize++;
                if (lastAssigned == MaxCode)
                {
                    bits.Put(ClearCode, codeSize);
                    table.Clear();
                    codeSize = MinCodeSize + 1;
                    lastAssigned = EndCode;
                }
                prefix = k;
            }
            bits.Put(prefix, codeSize);
        }
        bits.Put(EndCode, codeSize);
        bits.Flush();
        output.WriteByte(0);
    }

    /// <summary>Packs codes LSB-first into 255-byte sub-blocks, each preceded by its length.</summary>
    sealed class BitPacker(Stream output)
    {
        readonly byte[] block = new byte[255];
        int used;
        int acc, accBits;

        public void Put(int code, int size)
        {
            acc |= code << accBits;
            accBits += size;
            while (accBits >= 8)
            {
                Emit((byte)acc);
                acc >>= 8;
                accBits -= 8;
            }
        }

        public void Flush()
        {
            if (accBits > 0) Emit((byte)acc);
            acc = accBits = 0;
            if (used > 0) WriteBlock();
        }

        void Emit(byte b)
        {
            block[used++] = b;
            if (used == block.Length) WriteBlock();
        }

        void WriteBlock()
        {
            output.WriteByte((byte)used);
            output.Write(block, 0, used);
            used = 0;
        }
    }
}
