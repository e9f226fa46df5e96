// What changed since the adapter's previous build (placeholder until the changes endpoint lands).
export async function changesSection(buildId, since) {
  return null;
}
