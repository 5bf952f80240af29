// Package fdbased is modelled on gVisor's pkg/tcpip/link/fdbased endpoint: a link endpoint
// that reads packets from host file descriptors in dispatcher goroutines and hands them to
// the network stack.
package fdbased

import (
	"sync"
	"time"
)

type PacketBuffer struct {
	Data []byte
}

// NetworkDispatcher is the stack side that receives inbound packets.
type NetworkDispatcher interface {
	DeliverNetworkPacket(protocol uint16, pkt *PacketBuffer)
}

// linkDispatcher reads from one fd until stopped.
type linkDispatcher interface {
	dispatch() (bool, error)
	stop()
}

type endpoint struct {
	// mu protects dispatcher.
	mu         sync.RWMutex
	dispatcher NetworkDispatcher

	inboundDispatchers []linkDispatcher
	// wg keeps track of running dispatcher goroutines.
	wg     sync.WaitGroup
	closed func(error)
}

// Attach launches the dispatcher goroutines, or stops them when dispatcher is nil (the NIC
// is being removed). Removal holds e.mu (write) while Wait blocks until every dispatcher
// goroutine has returned, but a dispatcher that is delivering a packet is blocked in
// deliverPacket on e.mu.RLock(): neither side can proceed.
func (e *endpoint) Attach(dispatcher NetworkDispatcher) {
	e.mu.Lock()
	defer e.mu.Unlock()
	// nil means the NIC is being removed.
	if dispatcher == nil && e.dispatcher != nil {
		for _, d := range e.inboundDispatchers {
			d.stop()
		}
		e.Wait() // expect: wait-under-lock (through the callee: Wait -> e.wg.Wait(), while the dispatcher goroutines need e.mu.RLock() in deliverPacket)
		e.dispatcher = nil
		return
	}
	if dispatcher != nil && e.dispatcher == nil {
		e.dispatcher = dispatcher
		for i := range e.inboundDispatchers {
			e.wg.Add(1)
			go func(i int) {
				e.dispatchLoop(e.inboundDispatchers[i])
				e.wg.Done()
			}(i)
		}
	}
}

// Wait waits for the dispatcher goroutines to stop.
func (e *endpoint) Wait() {
	e.wg.Wait()
}

// Detach is the direct variant of the same bug: the wait is written inline, right under
// e.mu.Lock(), so an intraprocedural check sees it.
func (e *endpoint) Detach() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range e.inboundDispatchers {
		d.stop()
	}
	e.wg.Wait() // expect: wait-under-lock
	e.dispatcher = nil
}

// dispatchLoop reads packets until the dispatcher is stopped or fails.
func (e *endpoint) dispatchLoop(d linkDispatcher) {
	for {
		cont, err := d.dispatch()
		if err != nil || !cont {
			if e.closed != nil && err != nil {
				e.closed(err)
			}
			return
		}
	}
}

// deliverPacket is called by the dispatchers for every inbound packet.
func (e *endpoint) deliverPacket(protocol uint16, pkt *PacketBuffer) {
	e.mu.RLock()
	d := e.dispatcher
	e.mu.RUnlock()
	if d != nil {
		d.DeliverNetworkPacket(protocol, pkt)
	}
}

// readVDispatcher is one fd's dispatcher.
type readVDispatcher struct {
	e       *endpoint
	fd      int
	stopped chan struct{}
	read    func(fd int) ([]byte, error)
}

func (d *readVDispatcher) stop() {
	close(d.stopped)
}

func (d *readVDispatcher) dispatch() (bool, error) {
	select {
	case <-d.stopped:
		return false, nil
	default:
	}
	buf, err := d.read(d.fd)
	if err != nil {
		return false, err
	}
	if len(buf) == 0 {
		time.Sleep(time.Millisecond)
		return true, nil
	}
	d.e.deliverPacket(uint16(buf[0])<<8|uint16(buf[1]), &PacketBuffer{Data: buf[2:]})
	return true, nil
}
