//! A bound on open connections. Past it, the workbench stops accepting
//! until one closes: the kernel's backlog holds the newcomers (they wait,
//! they are not refused or reset), and a flood of idle connections cannot
//! take every file descriptor the case's handles need.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Connections open at once.
pub(crate) const MAX_CONNECTIONS: usize = 256;

/// A TCP listener that holds at most `limit` connections open.
pub(crate) struct Limited {
    listener: TcpListener,
    open: Arc<Semaphore>,
}

impl Limited {
    pub(crate) fn new(listener: TcpListener, limit: usize) -> Limited {
        Limited { listener, open: Arc::new(Semaphore::new(limit)) }
    }
}

/// A connection, counted until it is dropped.
pub(crate) struct Counted {
    stream: TcpStream,
    _open: OwnedSemaphorePermit,
}

impl axum::serve::Listener for Limited {
    type Io = Counted;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Counted, std::net::SocketAddr) {
        // Wait for room first: until then, connections stay in the backlog.
        let permit = loop {
            match Arc::clone(&self.open).acquire_owned().await {
                Ok(permit) => break permit,
                // Closed only if dropped, which this type never does.
                Err(_) => tokio::task::yield_now().await,
            }
        };
        let (stream, addr) = axum::serve::Listener::accept(&mut self.listener).await;
        (Counted { stream, _open: permit }, addr)
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::serve::Listener;

    /// With one connection allowed, a second is accepted only after the
    /// first closes.
    #[tokio::test]
    async fn past_the_bound_a_connection_waits_for_one_to_close() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut limited = Limited::new(listener, 1);
        let first_client = TcpStream::connect(addr).await?;
        let (first, _) = limited.accept().await;
        let _second_client = TcpStream::connect(addr).await?;
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(200), limited.accept());
        assert!(waiting.await.is_err(), "the second connection was accepted past the bound");
        drop(first);
        drop(first_client);
        let accepted =
            tokio::time::timeout(std::time::Duration::from_secs(5), limited.accept()).await;
        assert!(accepted.is_ok(), "the second connection was never accepted");
        Ok(())
    }
}
