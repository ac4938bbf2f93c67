// A token server that answers as Google's Confidential Space launcher does (go-tpm-tools
// launcher/teeserver): Go's net/http on a Unix socket, POST /v1/token with a JSON body whose unknown
// members are refused, the token written as the bare body with no Content-Length set. Go's server then
// frames a body of more than 2,048 bytes with Transfer-Encoding: chunked for an HTTP/1.1 client, and
// a body of any size by closing the connection for an HTTP/1.0 one; the launcher's client must read both.
//
// Usage: teeserver <socket> <token file>. The token file is read on every request, so a test can change
// the token's size without restarting the server. Standard library only, so it builds offline.
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
)

type tokenOptions struct {
	Audience  string   `json:"audience"`
	Nonces    []string `json:"nonces"`
	TokenType string   `json:"token_type"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: teeserver <socket> <token file>")
		os.Exit(2)
	}
	socket, tokenFile := os.Args[1], os.Args[2]
	os.Remove(socket)
	listener, err := net.Listen("unix", socket)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/token", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			decoder := json.NewDecoder(r.Body)
			decoder.DisallowUnknownFields()
			var options tokenOptions
			if err := decoder.Decode(&options); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if options.Audience == "" {
				http.Error(w, "use GET request for the default identity token", http.StatusBadRequest)
				return
			}
			if options.TokenType == "" {
				http.Error(w, "token_type is a required parameter", http.StatusBadRequest)
				return
			}
		} else if r.Method != http.MethodGet {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		token, err := os.ReadFile(tokenFile)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
		w.Write(token)
	})
	// The parent test reads this line to know the socket is listening.
	fmt.Println("listening")
	if err := http.Serve(listener, mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
