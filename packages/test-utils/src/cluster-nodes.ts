// The nodes of a Redis Cluster as one node sees them (CLUSTER NODES), in a shape a test can check.

export interface ClusterNodeView {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  /** For a replica: the id of the master it replicates. */
  readonly masterId: string | undefined;
  /** The slot ranges `[first, last]` a master serves (none for a replica). */
  readonly slots: ReadonlyArray<readonly [number, number]>;
  /** Flagged `fail` (agreed dead) or `fail?` (suspected) by the node that answered. */
  readonly failing: boolean;
  /** The answering node's link to it is up (always true for the answering node itself). */
  readonly connected: boolean;
}

/** Parses a CLUSTER NODES reply; nodes still in handshake or without an address are left out. */
export function parseClusterNodes(reply: string): ClusterNodeView[] {
  const nodes: ClusterNodeView[] = [];
  for (const line of reply.split('\n')) {
    // <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot>...
    const [id, address, flagText, master, , , , link, ...slotFields] = line.trim().split(' ');
    if (!id || !address || !flagText) continue;
    const flags = flagText.split(',');
    if (flags.includes('handshake') || flags.includes('noaddr')) continue;
    const hostPort = address.split('@')[0]!;
    const separator = hostPort.lastIndexOf(':');
    nodes.push({
      id,
      host: hostPort.slice(0, separator),
      port: Number(hostPort.slice(separator + 1)),
      role: flags.includes('master') ? 'master' : 'replica',
      masterId: master && master !== '-' ? master : undefined,
      // `[slot->-id]` / `[slot-<-id]` entries are slots being migrated, not served.
      slots: slotFields
        .filter((field) => !field.startsWith('['))
        .map((field) => {
          const [first, last = first] = field.split('-');
          return [Number(first), Number(last)] as const;
        }),
      failing: flags.includes('fail') || flags.includes('fail?'),
      connected: flags.includes('myself') || link === 'connected',
    });
  }
  return nodes;
}

/** The master that serves `slot` in this view, if any. */
export function ownerOfSlot(nodes: readonly ClusterNodeView[], slot: number): ClusterNodeView | undefined {
  return nodes.find(
    (node) => node.role === 'master' && node.slots.some(([first, last]) => slot >= first && slot <= last),
  );
}
