// Public surface of archc's backend layer: backend selection, kernel (un)registration, and the
// training-time BatchNorm op. Everything else in this folder is an implementation detail.
export { initBackend, describeBackend, currentBackend, type BackendChoice, type BackendSelection } from './select.ts';
export { registerArchcKernels, unregisterArchcKernels, archcKernelNames } from './register.ts';
export { batchNormTrain, type BatchNormTrainResult } from './batch-norm.ts';
export { configureNative, nativeOptionsFromEnv, nativeAddon, loadNative, nativeThreads, NATIVE_INSTALL_HINT, type NativeOptions } from './native-addon.ts';
