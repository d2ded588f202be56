-- Murmur's basemap schema for tilemaker: what a search team needs to read the ground (streets by class,
-- buildings, water, land cover, place names), nothing else, so that tiles of a town stay small.

node_keys = { "place" }

function node_function(node)
  local place = node:Find("place")
  if place ~= "" then
    node:Layer("places", false)
    node:Attribute("class", place)
    node:Attribute("name", node:Find("name"))
  end
end

-- Road classes the style knows; everything else with a highway tag is drawn as a path.
local road_class = {
  motorway = "major", trunk = "major", primary = "major", secondary = "major",
  motorway_link = "major", trunk_link = "major", primary_link = "major", secondary_link = "major",
  tertiary = "medium", tertiary_link = "medium", unclassified = "medium",
  residential = "minor", living_street = "minor", service = "minor", road = "minor", pedestrian = "minor",
  track = "track",
}

local landcover_class = {
  forest = "wood", wood = "wood", scrub = "wood",
  grass = "grass", meadow = "grass", park = "grass", recreation_ground = "grass", cemetery = "grass", heath = "grass",
  farmland = "farm", orchard = "farm", vineyard = "farm",
  residential = "built", commercial = "built", industrial = "built", retail = "built",
}

function way_function(way)
  local highway = way:Find("highway")
  local waterway = way:Find("waterway")
  local building = way:Find("building")
  local natural = way:Find("natural")
  local landuse = way:Find("landuse")
  local leisure = way:Find("leisure")
  local railway = way:Find("railway")
  local closed = way:IsClosed()

  if highway ~= "" and highway ~= "proposed" and highway ~= "construction" then
    way:Layer("roads", false)
    way:Attribute("class", road_class[highway] or "path")
    local name = way:Find("name")
    if name ~= "" then way:Attribute("name", name) end
    if way:Find("bridge") == "yes" then way:AttributeNumeric("bridge", 1) end
    return
  end
  if railway == "rail" or railway == "light_rail" or railway == "tram" then
    way:Layer("railways", false)
    way:Attribute("class", railway)
    return
  end
  if building ~= "" and closed then
    way:Layer("buildings", true)
    return
  end
  if waterway ~= "" then
    if waterway == "riverbank" and closed then
      way:Layer("water", true)
    else
      way:Layer("water", false)
    end
    way:Attribute("class", waterway)
    return
  end
  if closed and (natural == "water" or landuse == "reservoir" or landuse == "basin") then
    way:Layer("water", true)
    way:Attribute("class", "lake")
    return
  end
  local cover = landcover_class[landuse] or landcover_class[natural] or landcover_class[leisure]
  if closed and cover then
    way:Layer("landcover", true)
    way:Attribute("class", cover)
  end
end

-- tilemaker calls these around the run; nothing to set up.
function init_function()
end

function exit_function()
end
