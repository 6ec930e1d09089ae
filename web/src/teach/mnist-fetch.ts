/**
 * MNIST for a teaching view's worker: the four IDX files fetched from the explore server
 * (`data/<file>` relative to the page's address, as web/src/sim.ts does) and split as the CLI
 * splits them (the last 10,000 training images are the validation set).
 */
import { mnistFromIdx, MNIST_FILES, type IdxFile, type Mnist, type MnistFiles } from "../../../src/data/mnist.js";

export async function fetchMnist(base: string): Promise<Mnist> {
  const names = Object.keys(MNIST_FILES) as (keyof MnistFiles<string>)[];
  const files = await Promise.all(names.map(async (k) => {
    const res = await fetch(new URL(`data/${MNIST_FILES[k]}`, base));
    if (!res.ok) throw new Error(`data/${MNIST_FILES[k]}: HTTP ${res.status}`);
    return [k, { bytes: new Uint8Array(await res.arrayBuffer()), name: MNIST_FILES[k] } satisfies IdxFile] as const;
  }));
  return mnistFromIdx(Object.fromEntries(files) as unknown as MnistFiles<IdxFile>);
}
