package events_test

import "net/url"

func urlHost(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	return u.Host, nil
}

func replaceHost(raw, host string) string {
	u, _ := url.Parse(raw)
	u.Host = host
	return u.String()
}
