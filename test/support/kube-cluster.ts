import { startKubeCluster, type KubeCluster } from '../../stack/kube-cluster.js';

export { FAKE_NODE, type KubeCluster } from '../../stack/kube-cluster.js';

/**
 * A throwaway Kubernetes control plane for a test file (stack/kube-cluster.ts); the caller stops
 * it in the suite's `after` (an `after` registered inside `before` would run as soon as `before`
 * ends). TICKLER_KEEP_STATE=1 keeps its state and logs.
 */
export function startTestKubeCluster(): Promise<KubeCluster> {
  return startKubeCluster({
    keep: process.env.TICKLER_KEEP_STATE === '1',
    log: (line) => console.log(line),
  });
}
