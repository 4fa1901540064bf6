/**
 * Registers TensorFlow.js's gradient functions. tfjs-core's Node entry registers none (its
 * gradients ship only as extensionless ES modules that Node cannot load), so `tf.grads`
 * fails with "gradient function not found". `@tensorflow/tfjs` solves this by bundling the
 * gradients into its own build; this entry does the same, built by `tsup` to
 * `dist/tfjs-gradients.js` (`pnpm build` in this package). The bundled gradients register
 * into tfjs's global registry and run their ops through the one global tfjs engine.
 */
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
