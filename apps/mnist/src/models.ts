/** The two models the trainer offers. */
import { nn } from "tessera";
import type { ModelKind } from "./options.js";

/**
 * An MLP 784-256-256-10 with ReLU and dropout 0.2 (8,000 digits overfit without it), or a small CNN: conv 1→8 3×3, ReLU, max-pool 2,
 * conv 8→16 3×3, ReLU, max-pool 2, linear 400→10. Both take [N, 1, 28, 28] images and return
 * logits [N, 10]; weights get PyTorch's default initialization from the seeded generator.
 */
export function createModel(kind: ModelKind): nn.Sequential {
  if (kind === "mlp") {
    return new nn.Sequential(
      new nn.Flatten(),
      new nn.Linear(784, 256),
      new nn.ReLU(),
      new nn.Dropout(0.2),
      new nn.Linear(256, 256),
      new nn.ReLU(),
      new nn.Dropout(0.2),
      new nn.Linear(256, 10),
    );
  }
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * 5 * 5, 10),
  );
}
