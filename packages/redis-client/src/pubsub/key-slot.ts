/** Redis Cluster's 16,384 hash slots. */
export const CLUSTER_SLOTS = 16_384;

/** CRC16/XMODEM (polynomial 0x1021), the checksum Redis Cluster hashes names with. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/**
 * The Cluster slot of a key or shard channel, as Redis computes it: only the part between the
 * first `{` and the next `}` counts when it is not empty (the hash tag), so names that share a
 * tag share a slot.
 */
export function keySlot(name: string): number {
  const bytes = Buffer.from(name);
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) % CLUSTER_SLOTS;
  }
  return crc16(bytes) % CLUSTER_SLOTS;
}
