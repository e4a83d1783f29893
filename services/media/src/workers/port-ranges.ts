/** Splits [min, max] into `count` disjoint, contiguous ranges, one per worker. */
export function splitPortRange(
  min: number,
  max: number,
  count: number,
): { min: number; max: number }[] {
  const total = max - min + 1;
  if (count < 1 || total < count)
    throw new RangeError(`cannot split ${min}-${max} into ${count} ranges`);
  const size = Math.floor(total / count);
  return Array.from({ length: count }, (_, i) => ({
    min: min + i * size,
    // The last range takes the remainder so every port is used.
    max: i === count - 1 ? max : min + (i + 1) * size - 1,
  }));
}
