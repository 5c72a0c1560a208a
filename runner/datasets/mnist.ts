// `mnist`: LeCun, Cortes and Burges' 60,000 + 10,000 handwritten digits, 28×28 grey, IDX files.
import { pinnedFile } from "../../schema/index.js";
import type { IdxSource } from "./idx.js";

/**
 * Digests: the uncompressed IDX files are schema's pins (the bundle records them); the .gz files
 * are as TensorFlow Datasets pins them (url_checksums/mnist.txt, for the CVDF mirror of the
 * original files).
 */
export const MNIST_SOURCE: IdxSource = {
  id: "mnist",
  title: "MNIST",
  classes: 10,
  trainImages: {
    ...pinnedFile("mnist", "train-images-idx3-ubyte"),
    gz: { sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", bytes: 9912422 },
  },
  trainLabels: {
    ...pinnedFile("mnist", "train-labels-idx1-ubyte"),
    gz: { sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", bytes: 28881 },
  },
  testImages: {
    ...pinnedFile("mnist", "t10k-images-idx3-ubyte"),
    gz: { sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", bytes: 1648877 },
  },
  testLabels: {
    ...pinnedFile("mnist", "t10k-labels-idx1-ubyte"),
    gz: { sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", bytes: 4542 },
  },
  // The original site (yann.lecun.com) often refuses downloads; this mirror serves the same files.
  url: "https://storage.googleapis.com/cvdf-datasets/mnist/",
  // Debian has no MNIST package, so there is no system folder to look in.
  systemDirs: [],
};
