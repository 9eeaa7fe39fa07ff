// A bounded, least-recently-used cache of oneDNN primitives keyed by their shape string. Creating a primitive
// (and JIT-compiling its kernel) costs far more than running it, so every op looks its primitive up here; the
// bound keeps a long run over many shapes (growing/pruned widths) from holding every primitive it ever built.
#pragma once
#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

template <typename V>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  /** The cached value for `key`, or nullptr; a hit becomes the most recently used entry. */
  V* find(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second.get();
  }

  /** Inserts (or replaces) `key`, evicting the least recently used entries beyond the capacity. */
  V* insert(const std::string& key, std::unique_ptr<V> value) {
    auto it = index_.find(key);
    if (it != index_.end()) {
      order_.erase(it->second);
      index_.erase(it);
    }
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
    trim();
    return order_.front().second.get();
  }

  void set_capacity(size_t capacity) {
    capacity_ = capacity < 1 ? 1 : capacity;
    trim();
  }
  size_t capacity() const { return capacity_; }
  size_t size() const { return index_.size(); }
  void clear() {
    index_.clear();
    order_.clear();
  }

 private:
  void trim() {
    while (index_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }
  size_t capacity_;
  std::list<std::pair<std::string, std::unique_ptr<V>>> order_;
  std::unordered_map<std::string, typename std::list<std::pair<std::string, std::unique_ptr<V>>>::iterator> index_;
};
