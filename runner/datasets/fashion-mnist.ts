// `fashion-mnist`: Zalando's 60,000 + 10,000 article images, 28×28 grey, 10 classes, IDX files.
import { pinnedFile } from "../../schema/index.js";
import type { IdxSource } from "./idx.js";

/** Where Debian's `dataset-fashion-mnist` package installs the four .gz files. */
export const DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/**
 * Digests: the uncompressed IDX files are schema's pins (the bundle records them); the published
 * .gz files are as TensorFlow Datasets pins them (url_checksums/fashion_mnist.txt). Debian
 * recompresses the .gz files (their digests differ) but their content has the pinned digests.
 */
export const FASHION_MNIST_SOURCE: IdxSource = {
  id: "fashion-mnist",
  title: "Fashion-MNIST",
  classes: 10,
  trainImages: {
    ...pinnedFile("fashion-mnist", "train-images-idx3-ubyte"),
    gz: { sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", bytes: 26421880 },
  },
  trainLabels: {
    ...pinnedFile("fashion-mnist", "train-labels-idx1-ubyte"),
    gz: { sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", bytes: 29515 },
  },
  testImages: {
    ...pinnedFile("fashion-mnist", "t10k-images-idx3-ubyte"),
    gz: { sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", bytes: 4422102 },
  },
  testLabels: {
    ...pinnedFile("fashion-mnist", "t10k-labels-idx1-ubyte"),
    gz: { sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", bytes: 5148 },
  },
  url: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
  systemDirs: [DEBIAN_FASHION_MNIST_DIR],
  packageHint:
    `install Debian's package (sudo apt-get install dataset-fashion-mnist), ` +
    `which rethink-bench finds in ${DEBIAN_FASHION_MNIST_DIR}`,
};
