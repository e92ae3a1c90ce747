// Optional binding of a session to its client's network (SESSION_IP_BINDING): a refresh must come from
// the same IPv4 /N (or IPv6 /M) network as the session's last use.
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export interface IpBinding {
  ipv4: number;
  ipv6: number;
}

/** `::ffff:10.0.0.1` is the IPv4 address 10.0.0.1 as a dual-stack socket reports it. */
const plain = (address: string): string => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/** Whether `candidate` is in the same network as `reference`; always true when binding is off. */
export function sameNetwork(binding: IpBinding | null, reference: string, candidate: string): boolean {
  if (!binding || !reference) return true;
  const [a, b] = [plain(reference), plain(candidate)];
  const type = isIPv4(a) ? 'ipv4' : isIPv6(a) ? 'ipv6' : null;
  if (!type || (type === 'ipv4' ? !isIPv4(b) : !isIPv6(b))) return a === b;
  const network = new BlockList();
  network.addSubnet(a, type === 'ipv4' ? binding.ipv4 : binding.ipv6, type);
  return network.check(b, type);
}
