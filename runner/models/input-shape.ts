// The image shape a model is built for, given a dataset's: the paper's CIFAR-10 crop. The rule
// lives in schema/, where the server looks architectures up by the shape they are built at.
export { CIFAR_CROP, isCifarShaped, modelInputShape } from "../../schema/index.js";
