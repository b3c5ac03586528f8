import * as net from "node:net";
import * as tls from "node:tls";
import * as keepalive from "net-keepalive";

export interface SocketTuning {
  keepAliveIdleMs: number;
  keepAliveIntervalMs: number;
  keepAliveProbes: number;
  /** TCP_USER_TIMEOUT: how long sent data may stay unacknowledged before the kernel drops the socket. */
  tcpUserTimeoutMs: number;
}

export interface AppliedSocketOptions {
  keepAliveIntervalMs: number;
  keepAliveProbes: number;
  tcpUserTimeoutMs: number;
}

interface HandleOwner {
  _handle?: { fd?: number } | null;
  _parent?: HandleOwner | null;
}

/**
 * The socket that owns the file descriptor. A TLS stream created by tls.connect wraps its TCP
 * socket; net-keepalive needs the one whose handle has the fd.
 */
export function tcpSocketOf(stream: net.Socket | tls.TLSSocket): net.Socket {
  let candidate: HandleOwner | null | undefined = stream as unknown as HandleOwner;
  for (let depth = 0; candidate && depth < 3; depth++) {
    const fd = candidate._handle?.fd;
    if (typeof fd === "number" && fd >= 0) return candidate as unknown as net.Socket;
    candidate = candidate._parent;
  }
  throw new Error("cannot find the TCP socket's file descriptor to set keepalive options on");
}

/**
 * SO_KEEPALIVE with idle/interval/probes and TCP_USER_TIMEOUT. Node itself can set only the idle
 * time (and then fixes interval 1 s and 10 probes), hence net-keepalive for the rest.
 */
export function applySocketOptions(stream: net.Socket | tls.TLSSocket, tuning: SocketTuning): void {
  const socket = tcpSocketOf(stream);
  socket.setKeepAlive(true, tuning.keepAliveIdleMs);
  keepalive.setKeepAliveInterval(socket, tuning.keepAliveIntervalMs);
  keepalive.setKeepAliveProbes(socket, tuning.keepAliveProbes);
  keepalive.setUserTimeout(socket, tuning.tcpUserTimeoutMs);
}

/** What the kernel reports for the socket, to verify the options really took. */
export function readSocketOptions(stream: net.Socket | tls.TLSSocket): AppliedSocketOptions {
  const socket = tcpSocketOf(stream);
  return {
    keepAliveIntervalMs: keepalive.getKeepAliveInterval(socket),
    keepAliveProbes: keepalive.getKeepAliveProbes(socket),
    tcpUserTimeoutMs: keepalive.getUserTimeout(socket),
  };
}
