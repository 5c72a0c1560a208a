// `fashion-mnist`: Zalando's 60,000 + 10,000 article images, 28×28 grey, 10 classes, IDX files.
import type { IdxSource } from "./idx.js";

/** Where Debian's `dataset-fashion-mnist` package installs the four .gz files. */
export const DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/**
 * Digests: the published .gz files as TensorFlow Datasets pins them
 * (url_checksums/fashion_mnist.txt), and the uncompressed IDX files. Debian recompresses the
 * .gz files (their digests differ) but their content matches these uncompressed digests, which
 * are what the bundle records.
 */
export const FASHION_MNIST_SOURCE: IdxSource = {
  id: "fashion-mnist",
  title: "Fashion-MNIST",
  classes: 10,
  trainImages: {
    name: "train-images-idx3-ubyte",
    sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    gz: { sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", bytes: 26421880 },
  },
  trainLabels: {
    name: "train-labels-idx1-ubyte",
    sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    gz: { sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", bytes: 29515 },
  },
  testImages: {
    name: "t10k-images-idx3-ubyte",
    sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    gz: { sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", bytes: 4422102 },
  },
  testLabels: {
    name: "t10k-labels-idx1-ubyte",
    sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    gz: { sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", bytes: 5148 },
  },
  url: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
  systemDirs: [DEBIAN_FASHION_MNIST_DIR],
  packageHint:
    `install Debian's package (sudo apt-get install dataset-fashion-mnist), ` +
    `which rethink-bench finds in ${DEBIAN_FASHION_MNIST_DIR}`,
};
