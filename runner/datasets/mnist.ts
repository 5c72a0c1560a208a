// `mnist`: LeCun, Cortes and Burges' 60,000 + 10,000 handwritten digits, 28×28 grey, IDX files.
import type { IdxSource } from "./idx.js";

/**
 * Digests: the .gz files as TensorFlow Datasets pins them (url_checksums/mnist.txt, for the
 * CVDF mirror of the original files), and the uncompressed IDX files as several independent
 * projects pin them. The bundle records the uncompressed digests.
 */
export const MNIST_SOURCE: IdxSource = {
  id: "mnist",
  title: "MNIST",
  classes: 10,
  trainImages: {
    name: "train-images-idx3-ubyte",
    sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    gz: { sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", bytes: 9912422 },
  },
  trainLabels: {
    name: "train-labels-idx1-ubyte",
    sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    gz: { sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", bytes: 28881 },
  },
  testImages: {
    name: "t10k-images-idx3-ubyte",
    sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    gz: { sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", bytes: 1648877 },
  },
  testLabels: {
    name: "t10k-labels-idx1-ubyte",
    sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    gz: { sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", bytes: 4542 },
  },
  // The original site (yann.lecun.com) often refuses downloads; this mirror serves the same files.
  url: "https://storage.googleapis.com/cvdf-datasets/mnist/",
  // Debian has no MNIST package, so there is no system folder to look in.
  systemDirs: [],
};
