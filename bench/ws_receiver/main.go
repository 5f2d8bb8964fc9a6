// The fan-out benches' receiving clients in one Go process: N WebSocket connections, one goroutine
// each on Go's netpoller, so the clients cost far less CPU than the servers they measure and the
// latency they report is the servers'. Built by bench/_go_receiver.ts into the ignored .bench/.
//
// Each received text frame holding `marker` followed by "<id> <unix µs>" counts as a delivery with
// latency now − that time. Commands on stdin, one per line, each answered on stdout:
//
//	mark    → "ok": forget the deliveries so far
//	report  → "<delivered> <p50 µs> <p99 µs> <last delivery, unix µs>"
//	quit    → exits
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }

var (
	port    = flag.Int("port", 0, "server port on 127.0.0.1")
	path    = flag.String("path", "/", "request path")
	proto   = flag.String("proto", "roomcast", "roomcast | floor | socketio")
	sub     = flag.String("subscribe", "", "text sent once upgraded (roomcast, floor)")
	marker  = flag.String("marker", `"content":"b `, "text before a delivery's id and send time")
	count   = flag.Int("n", 1000, "connections")
	headers headerList
)

// Deliveries since the last mark, in µs, and the time of the last one.
var (
	mu         sync.Mutex
	latencies  []int64
	lastAt     int64
	markerText []byte
)

// A client frame: FIN, the opcode, masked with a zero key (allowed, and the payload goes as is).
func frame(opcode byte, payload []byte) []byte {
	n := len(payload)
	var out []byte
	switch {
	case n < 126:
		out = []byte{0x80 | opcode, 0x80 | byte(n)}
	case n < 65536:
		out = []byte{0x80 | opcode, 0x80 | 126, byte(n >> 8), byte(n)}
	default:
		out = make([]byte, 10)
		out[0], out[1] = 0x80|opcode, 0x80|127
		binary.BigEndian.PutUint64(out[2:], uint64(n))
	}
	out = append(out, 0, 0, 0, 0)
	return append(out, payload...)
}

type conn struct {
	c      net.Conn
	wmu    sync.Mutex
	ready  chan struct{}
	isOpen bool
}

func (c *conn) send(opcode byte, payload []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.c.Write(frame(opcode, payload))
}

func (c *conn) markReady() {
	if !c.isOpen {
		c.isOpen = true
		close(c.ready)
	}
}

// Reacts to one text frame: the protocol's handshake, or a delivery.
func (c *conn) onText(text []byte) {
	if i := indexOf(text, markerText); i >= 0 {
		now := time.Now().UnixMicro()
		// "<id> <unix µs>": the digits after the first space.
		rest := text[i+len(markerText):]
		space := indexOf(rest, []byte(" "))
		if space < 0 {
			return
		}
		end := space + 1
		for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		sent, err := strconv.ParseInt(string(rest[space+1:end]), 10, 64)
		if err == nil {
			mu.Lock()
			latencies = append(latencies, now-sent)
			lastAt = now
			mu.Unlock()
		}
		return
	}
	s := string(text)
	switch *proto {
	case "roomcast":
		if strings.Contains(s, `"type":"subscribed"`) {
			c.markReady()
		}
	case "floor":
		c.markReady()
	case "socketio":
		switch {
		case s == "2":
			c.send(1, []byte("3"))
		case strings.HasPrefix(s, "40"):
			c.send(1, []byte(`421["subscribe",{"channelId":1}]`))
		case strings.HasPrefix(s, "0"):
			c.send(1, []byte("40"))
		case strings.HasPrefix(s, "431"):
			c.markReady()
		}
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func indexOf(haystack, needle []byte) int {
	return strings.Index(string(haystack), string(needle))
}

func open() (*conn, error) {
	raw, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		return nil, err
	}
	c := &conn{c: raw, ready: make(chan struct{})}
	extra := ""
	for _, h := range headers {
		extra += h + "\r\n"
	}
	fmt.Fprintf(raw, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"+
		"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"+
		"Sec-WebSocket-Version: 13\r\n%s\r\n", *path, *port, extra)
	reader := bufio.NewReaderSize(raw, 16*1024)
	status, err := reader.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 101") {
		return nil, fmt.Errorf("upgrade refused: %q %v", status, err)
	}
	for {
		line, err := reader.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if line == "\r\n" {
			break
		}
	}
	go c.read(reader)
	if *sub != "" {
		c.send(1, []byte(*sub))
	}
	return c, nil
}

func (c *conn) read(r *bufio.Reader) {
	head := make([]byte, 8)
	payload := make([]byte, 0, 4096)
	for {
		if _, err := io.ReadFull(r, head[:2]); err != nil {
			return
		}
		opcode := head[0] & 0x0f
		n := uint64(head[1] & 0x7f)
		if n == 126 {
			if _, err := io.ReadFull(r, head[:2]); err != nil {
				return
			}
			n = uint64(binary.BigEndian.Uint16(head[:2]))
		} else if n == 127 {
			if _, err := io.ReadFull(r, head[:8]); err != nil {
				return
			}
			n = binary.BigEndian.Uint64(head[:8])
		}
		if uint64(cap(payload)) < n {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		switch opcode {
		case 1:
			c.onText(payload)
		case 9:
			c.send(10, append([]byte(nil), payload...))
		case 8:
			c.c.Close()
			return
		}
	}
}

func report() string {
	mu.Lock()
	sorted := append([]int64(nil), latencies...)
	last := lastAt
	mu.Unlock()
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	at := func(p float64) int64 {
		if len(sorted) == 0 {
			return 0
		}
		return sorted[min(len(sorted)-1, int(p/100*float64(len(sorted))))]
	}
	return fmt.Sprintf("%d %d %d %d", len(sorted), at(50), at(99), last)
}

func main() {
	flag.Var(&headers, "header", "request header, `Name: value` (repeatable)")
	flag.Parse()
	markerText = []byte(*marker)
	conns := make([]*conn, 0, *count)
	for i := 0; i < *count; i += 100 {
		batch := min(100, *count-i)
		results := make(chan *conn, batch)
		for j := 0; j < batch; j++ {
			go func() {
				c, err := open()
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				<-c.ready
				results <- c
			}()
		}
		for j := 0; j < batch; j++ {
			select {
			case c := <-results:
				conns = append(conns, c)
			case <-time.After(30 * time.Second):
				fmt.Fprintln(os.Stderr, "a connection did not subscribe within 30 s")
				os.Exit(1)
			}
		}
	}
	fmt.Println("ready")
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		switch lines.Text() {
		case "mark":
			mu.Lock()
			latencies = latencies[:0]
			lastAt = 0
			mu.Unlock()
			fmt.Println("ok")
		case "report":
			fmt.Println(report())
		case "quit":
			for _, c := range conns {
				c.c.Close()
			}
			return
		}
	}
}
